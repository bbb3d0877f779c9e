package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/tickcast/tickcast/bench"
)

// execute makes the run (or the sweep) and writes its outputs.
func (o *options) execute(ctx context.Context, stdout io.Writer) error {
	if o.cpuProf != "" {
		f, err := os.Create(o.cpuProf)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.timeline != "" {
		names, paths := make([]string, len(o.reports)), make([]string, len(o.reports))
		for i, a := range o.reports {
			name, path, ok := strings.Cut(a, "=")
			if !ok {
				name, path = strings.TrimSuffix(filepath.Base(a), ".json"), a
			}
			names[i], paths[i] = name, path
		}
		runs, err := readReports(paths)
		if err != nil {
			return err
		}
		return writeFile(o.timeline, func(w io.Writer) error { return bench.PlotTimelines(w, names, runs) })
	}
	if o.reports != nil {
		return o.executeSummary(stdout)
	}
	if o.sweep != nil {
		return o.executeSweep(ctx, stdout)
	}
	rep, err := bench.Run(ctx, o.cfg)
	if err != nil {
		return err
	}
	rep.Config.Command, rep.Config.Label = o.command, o.label
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if err := writeFile(o.out, rep.WriteJSON); err != nil {
		return err
	}
	return writeFile(o.plot, func(w io.Writer) error { return bench.PlotRun(w, rep) })
}

func (o *options) executeSweep(ctx context.Context, stdout io.Writer) error {
	sr, err := bench.Sweep(ctx, o.cfg, *o.sweep, func(r *bench.Report) { _ = r.WriteTable(stdout) })
	if sr == nil {
		return err
	}
	sr.Command, sr.Label = o.command, o.label
	fmt.Fprintln(stdout)
	if werr := sr.WriteTable(stdout); werr != nil && err == nil {
		err = werr
	}
	if err != nil { // keep what was measured before the failure
		_ = writeFile(o.out, sr.WriteJSON)
		return err
	}
	if err := writeFile(o.out, sr.WriteJSON); err != nil {
		return err
	}
	if err := writeFile(o.plot, func(w io.Writer) error { return bench.PlotSweep(w, sr) }); err != nil {
		return err
	}
	if o.updateMD != "" {
		return bench.UpdateMarkdownSection(o.updateMD, o.section, o.section, sr.Markdown())
	}
	return nil
}

// executeSummary summarizes the run reports o.reports.
func (o *options) executeSummary(stdout io.Writer) error {
	runs, err := readReports(o.reports)
	if err != nil {
		return err
	}
	s, err := bench.Summarize(runs)
	if err != nil {
		return err
	}
	if o.baseline != nil {
		base, err := readReports(o.baseline)
		if err != nil {
			return err
		}
		if err := s.WithBaseline(base); err != nil {
			return err
		}
	}
	if err := s.WriteTable(stdout); err != nil {
		return err
	}
	if o.updateMD != "" {
		return bench.UpdateMarkdownSection(o.updateMD, o.section, o.section, s.Markdown())
	}
	return nil
}

// readReports reads the run reports at paths.
func readReports(paths []string) ([]*bench.Report, error) {
	var runs []*bench.Report
	for _, path := range paths {
		r, err := bench.ReadReport(path)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// writeFile writes path with write; an empty path writes nothing.
func writeFile(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
