package search_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/search/relevance"
)

func mustIndex(t *testing.T) (*search.Index, relevance.Set) {
	t.Helper()
	set, err := relevance.Load()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := search.Open(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	if err := idx.Put(set.Docs...); err != nil {
		t.Fatal(err)
	}
	return idx, set
}

// On the hand-labelled set, the first hit of every query is relevant, and on average
// at least 80 % of the first ten hits are, finding at least 90 % of the relevant docs.
func TestRelevanceOnTheLabelledSet(t *testing.T) {
	idx, set := mustIndex(t)
	judged, err := set.Judge(idx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range judged {
		if !j.TopOK {
			t.Errorf("%q: first hit %s is not relevant", j.Query, j.Top)
		}
		t.Logf("%-8s P@10 %.2f recall %.2f top %s", j.Query, j.Precision, j.Recall, j.Top)
	}
	p, r := relevance.Mean(judged)
	t.Logf("mean P@10 %.2f, recall@10 %.2f", p, r)
	if p < 0.8 || r < 0.9 {
		t.Errorf("mean precision@10 = %.2f, recall@10 = %.2f; want at least 0.80 and 0.90", p, r)
	}
}

func TestFiltersAndValidation(t *testing.T) {
	idx, _ := mustIndex(t)
	ids := func(q search.Query) []string {
		t.Helper()
		res, err := idx.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	if got := ids(search.Query{Text: "醴陵瓷器", Media: "video"}); len(got) != 1 || got[0] != "item:ly-3" {
		t.Errorf("醴陵瓷器 with video = %v, want [item:ly-3]", got)
	}
	if got := ids(search.Query{Text: "民歌", District: "430223"}); len(got) != 3 {
		t.Errorf("民歌 in 攸县 = %v, want its 3", got)
	}
	if got := ids(search.Query{Text: "图书馆", Kinds: []string{search.KindVenue}}); len(got) != 2 {
		t.Errorf("图书馆 venues = %v, want 2", got)
	}
	if got := ids(search.Query{Text: "扁豆双禽瓶　１９１５"}); len(got) == 0 {
		t.Errorf("full-width letters found nothing")
	}
	for _, q := range []search.Query{{}, {Text: "   "}, {Text: string(make([]rune, 51))}, {Text: "瓷", Kinds: []string{"people"}}} {
		if _, err := idx.Search(q); err == nil {
			t.Errorf("Search(%+v) = nil error, want invalid", q)
		}
	}
	if err := idx.Delete("item:ly-3"); err != nil {
		t.Fatal(err)
	}
	if got := ids(search.Query{Text: "醴陵瓷器", Media: "video"}); len(got) != 0 {
		t.Errorf("after delete = %v, want nothing", got)
	}
	_ = time.Now
}

// A snapshot written by the indexer opens elsewhere, read-only, and answers alike.
func TestSnapshotRoundTrip(t *testing.T) {
	idx, set := mustIndex(t)
	var buf bytes.Buffer
	if err := idx.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	copyIdx, err := search.ReadSnapshot(&buf, filepath.Join(t.TempDir(), "copy"))
	if err != nil {
		t.Fatal(err)
	}
	defer copyIdx.Close()
	n, _ := copyIdx.Count()
	if n != uint64(len(set.Docs)) {
		t.Errorf("snapshot holds %d docs, want %d", n, len(set.Docs))
	}
	a, _ := idx.Search(search.Query{Text: "炎帝传说"})
	b, err := copyIdx.Search(search.Query{Text: "炎帝传说"})
	if err != nil || len(a.Hits) != len(b.Hits) || a.Hits[0].ID != b.Hits[0].ID {
		t.Errorf("snapshot answers %v (%v), the original %v", b.Hits, err, a.Hits)
	}
}

// A long word found apart: its characters in pairs (醴陵 … 瓷器) match, below the whole
// word; half of it (瓷器 alone) does not.
func TestLongWordApart(t *testing.T) {
	idx, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	if err := idx.Put(
		search.Doc{ID: "item:whole", Kind: search.KindItem, Title: "醴陵瓷器图录"},
		search.Doc{ID: "item:apart", Kind: search.KindItem, Title: "醴陵的瓷器"},
		search.Doc{ID: "item:half", Kind: search.KindItem, Title: "景德镇瓷器"},
	); err != nil {
		t.Fatal(err)
	}
	res, err := idx.Search(search.Query{Text: "醴陵瓷器"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	if len(got) != 2 || got[0] != "item:whole" || got[1] != "item:apart" {
		t.Errorf("醴陵瓷器 = %v, want item:whole then item:apart", got)
	}
}
