// Package journal is the venue's write-ahead log on disk: records framed
// with their length and a CRC-32C, appended to numbered segment files in a
// data directory, made durable many at a time (group commit: Append
// buffers, Commit writes and fsyncs once), and snapshots written beside
// them atomically. A lock file keeps a second process out of the
// directory.
//
// The package knows nothing of what the records mean: the venue (package
// market) encodes its commands into them and replays them. Opening a
// journal checks every frame: a torn last record (the process died while
// writing it) is cut off with a log line; damage anywhere else is an
// error that names the file and the offset, and nothing is skipped. The
// format is described in docs/journal.md.
package journal
