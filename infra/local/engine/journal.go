package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A journal file is a header (magic and generation) followed by records. A record is
// the length of its payload (4 bytes, little endian), the CRC-32C of the payload (4
// bytes), and the payload: the operation's name and the engine's status for it, each
// a uvarint-prefixed string or a uvarint, then the request's body.
const (
	journalMagic  = "WTJOURNL"
	headerSize    = len(journalMagic) + 8
	recordHead    = 8
	maxRecordSize = 64 << 20 // far above DynamoDB's largest request (16 MB)
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// record is one request the engine answered: replayed in order, it rebuilds the table.
type record struct {
	op     string // "PutItem", "TransactWriteItems", …
	status int    // the engine's HTTP status, which the replay must give again
	body   []byte // the request's JSON
}

// appendRecord appends r's encoding to b.
func appendRecord(b []byte, r record) []byte {
	start := len(b)
	b = append(b, make([]byte, recordHead)...)
	b = binary.AppendUvarint(b, uint64(len(r.op)))
	b = append(b, r.op...)
	b = binary.AppendUvarint(b, uint64(r.status))
	b = append(b, r.body...)
	payload := b[start+recordHead:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, crcTable))
	return b
}

func decodePayload(p []byte) (record, error) {
	n, k := binary.Uvarint(p)
	if k <= 0 || uint64(len(p)-k) < n {
		return record{}, errors.New("bad operation")
	}
	op := string(p[k : k+int(n)])
	p = p[k+int(n):]
	status, k := binary.Uvarint(p)
	if k <= 0 {
		return record{}, errors.New("bad status")
	}
	return record{op: op, status: int(status), body: p[k:]}, nil
}

// journalName is the file of a generation: journal-00000007.log.
func journalName(gen uint64) string { return fmt.Sprintf("journal-%08d.log", gen) }

// journalFiles lists the generations of the journal files in dir, oldest first.
func journalFiles(dir string) ([]uint64, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "journal-*.log"))
	if err != nil {
		return nil, err
	}
	var gens []uint64
	for _, p := range paths {
		s := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "journal-"), ".log")
		if gen, err := strconv.ParseUint(s, 10, 64); err == nil {
			gens = append(gens, gen)
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// scan is what reading a journal file found.
type scan struct {
	records int
	good    int64 // the length of the file up to the end of its last whole record
	dropped int64 // bytes after good: a record torn by a crash, or no header at all
}

// readJournal calls apply with each whole record of the journal file of gen, in order,
// and stops at the first record that is cut short or fails its checksum: a crash
// while it was written, so it was never acknowledged.
func readJournal(path string, gen uint64, apply func(record) error) (scan, error) {
	f, err := os.Open(path)
	if err != nil {
		return scan{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return scan{}, err
	}
	size := st.Size()
	r := bufio.NewReaderSize(f, 1<<16)
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(r, head); err != nil {
		// Created but its header never reached the disk: it holds nothing.
		return scan{dropped: size}, nil
	}
	if string(head[:len(journalMagic)]) != journalMagic {
		return scan{}, fmt.Errorf("%s is not a journal file", path)
	}
	if got := binary.LittleEndian.Uint64(head[len(journalMagic):]); got != gen {
		return scan{}, fmt.Errorf("%s says it is generation %d", path, got)
	}
	sc := scan{good: int64(headerSize)}
	var rh [recordHead]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(r, rh[:]); err != nil {
			break // the end, or a torn head
		}
		n := binary.LittleEndian.Uint32(rh[:4])
		if n > maxRecordSize || int64(n) > size-sc.good-recordHead {
			break
		}
		payload = slices.Grow(payload[:0], int(n))[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			break
		}
		if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(rh[4:]) {
			break
		}
		rec, err := decodePayload(payload)
		if err != nil {
			break
		}
		if err := apply(rec); err != nil {
			return sc, fmt.Errorf("%s, record %d: %w", path, sc.records+1, err)
		}
		sc.records++
		sc.good += recordHead + int64(n)
	}
	sc.dropped = size - sc.good
	return sc, nil
}

// journalFile is the journal file writes are appended to.
type journalFile struct {
	f    *os.File
	gen  uint64
	size int64 // what has been written and synced
}

// createJournal creates the file of gen with its header, and syncs it and the directory.
func createJournal(dir string, gen uint64) (*journalFile, error) {
	path := filepath.Join(dir, journalName(gen))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	head := binary.LittleEndian.AppendUint64([]byte(journalMagic), gen)
	if _, err := f.Write(head); err != nil {
		f.Close()
		return nil, fmt.Errorf("create journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("create journal: %w", err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return &journalFile{f: f, gen: gen, size: int64(len(head))}, nil
}

// syncDir makes the creation, renaming or removal of the directory's files durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
