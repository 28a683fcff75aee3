package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Whatever a crash leaves after the whole records of a journal file, reading it keeps
// those records, in order, and never fails or reads past the end.
func FuzzReadJournalTail(f *testing.F) {
	valid := appendRecord(nil, record{op: "PutItem", status: 200, body: []byte(`{"Item":{}}`)})
	f.Add([]byte{})
	f.Add(valid[:5])
	f.Add(valid[:len(valid)-1])
	f.Add(append(bytes.Clone(valid), 0xff))
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, tail []byte) {
		dir := t.TempDir()
		jf, err := createJournal(dir, 7)
		if err != nil {
			t.Fatal(err)
		}
		var want []record
		var buf []byte
		for i, op := range []string{"PutItem", "UpdateItem", "TransactWriteItems"} {
			r := record{op: op, status: 200 + i*200, body: []byte(`{"n":` + string(rune('0'+i)) + `}`)}
			want = append(want, r)
			buf = appendRecord(buf, r)
		}
		if _, err := jf.f.Write(append(buf, tail...)); err != nil {
			t.Fatal(err)
		}
		jf.f.Close()
		var got []record
		sc, err := readJournal(filepath.Join(dir, journalName(7)), 7, func(r record) error {
			got = append(got, record{op: r.op, status: r.status, body: bytes.Clone(r.body)})
			return nil
		})
		if err != nil {
			t.Fatalf("readJournal: %v", err)
		}
		if len(got) < len(want) {
			t.Fatalf("read %d records, want at least the %d whole ones", len(got), len(want))
		}
		for i, w := range want {
			if g := got[i]; g.op != w.op || g.status != w.status || !bytes.Equal(g.body, w.body) {
				t.Errorf("record %d = %+v, want %+v", i, g, w)
			}
		}
		st, _ := os.Stat(filepath.Join(dir, journalName(7)))
		if sc.good+sc.dropped != st.Size() || sc.good < int64(headerSize+len(buf)) || sc.records != len(got) {
			t.Errorf("scan = %+v of a %d-byte file with %d bytes of whole records", sc, st.Size(), headerSize+len(buf))
		}
	})
}
