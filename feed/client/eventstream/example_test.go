package eventstream_test

import (
	"fmt"
	"strings"

	"github.com/tickcast/tickcast/feed/client/eventstream"
)

// A stream as GET /sse sends it: the retry field, events with ids, a
// heartbeat comment, a reset without an id.
func ExampleReader() {
	body := "retry: 2000\n\n" +
		"id: emwtzt5ch5hwx:100\nevent: trade\ndata: {\"t\":\"trade\",\"seq\":1}\n\n" +
		": hb\n\n" +
		"event: reset\ndata: {\"t\":\"reset\",\"ch\":\"book\"}\n\n"
	r := eventstream.NewReader(strings.NewReader(body), eventstream.ReaderOptions{})
	for {
		rec, err := r.Next()
		if err != nil {
			fmt.Println("end:", err)
			return
		}
		switch rec.Kind {
		case eventstream.KindEvent:
			fmt.Printf("%s %s (own id %v, last id %s)\n", rec.Type, rec.Data, rec.HasID, rec.LastID)
		case eventstream.KindComment:
			fmt.Println("comment:", rec.Comment)
		case eventstream.KindRetry:
			fmt.Println("retry:", rec.Retry)
		}
	}
	// Output:
	// retry: 2000
	// trade {"t":"trade","seq":1} (own id true, last id emwtzt5ch5hwx:100)
	// comment: hb
	// reset {"t":"reset","ch":"book"} (own id false, last id emwtzt5ch5hwx:100)
	// end: EOF
}
