// Package search is the platform's Chinese full-text search over library items, news,
// activities and venues: a bleve index with the CJK analyser (characters in bigrams, so
// 醴陵瓷器 finds 醴陵 and 瓷器 without a dictionary), ranked by relevance, with filters.
package search

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	"golang.org/x/text/width"

	"github.com/wentitong/wentitong/shared/fault"
)

// The kinds of things found.
const (
	KindItem     = "item"
	KindNews     = "news"
	KindActivity = "activity"
	KindVenue    = "venue"
)

// Kinds are the kinds a query may ask for.
var Kinds = []string{KindItem, KindNews, KindActivity, KindVenue}

// Doc is one thing residents can find.
type Doc struct {
	ID         string    `json:"id"` // <kind>:<id>
	Kind       string    `json:"kind"`
	Title      string    `json:"title"`
	Text       string    `json:"text"`            // description, body
	Summary    string    `json:"summary"`         // what a result shows under the title
	Names      []string  `json:"names,omitempty"` // creators
	Tags       []string  `json:"tags,omitempty"`  // subjects, category, kind of venue
	Collection string    `json:"collection,omitempty"`
	Media      []string  `json:"media,omitempty"`     // image, audio, video, pdf
	Districts  []string  `json:"districts,omitempty"` // the place's district and its ancestors
	Date       time.Time `json:"date,omitzero"`
	URL        string    `json:"url"` // the page, relative to the H5 base: /items/<id>
}

// Query is a search: words and filters.
type Query struct {
	Text       string
	Kinds      []string
	Collection string
	Media      string
	District   string // a district id: its whole subtree
	From, To   time.Time
	Limit      int // default 10, at most 50
	Offset     int
}

// Hit is one result.
type Hit struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Title   string    `json:"title"`
	Summary string    `json:"summary,omitempty"`
	URL     string    `json:"url"`
	Date    time.Time `json:"date,omitzero"`
	Score   float64   `json:"score"`
}

// Results are a page of hits and how many match in all.
type Results struct {
	Total uint64 `json:"total"`
	Hits  []Hit  `json:"hits"`
}

// Errors of queries.
var (
	ErrQueryInvalid = fault.New(fault.Invalid, "search_invalid", "请输入要搜索的内容（不超过 50 个字），或选择筛选条件")
	ErrKindInvalid  = fault.New(fault.Invalid, "search_kind_invalid", "类型只能是馆藏、资讯、活动或场馆")
)

// Index is a bleve index of Docs.
type Index struct {
	b bleve.Index
}

// newMapping is the index's mapping: text fields in bigrams of CJK characters (English
// and digits as words), filter fields as exact keywords, the date as a date.
func newMapping() mapping.IndexMapping {
	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeInAll, f.IncludeTermVectors = cjk.AnalyzerName, store, false, false
		return f
	}
	kw := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer, f.Store, f.IncludeInAll, f.IncludeTermVectors = keyword.Name, store, false, false
		return f
	}
	stored := bleve.NewTextFieldMapping()
	stored.Index, stored.Store, stored.IncludeInAll, stored.DocValues = false, true, false, false
	date := bleve.NewDateTimeFieldMapping()
	date.Store, date.IncludeInAll = true, false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("title", text(true))
	doc.AddFieldMappingsAt("text", text(false))
	doc.AddFieldMappingsAt("names", text(false))
	doc.AddFieldMappingsAt("tags", text(false))
	doc.AddFieldMappingsAt("kind", kw(true))
	doc.AddFieldMappingsAt("collection", kw(false))
	doc.AddFieldMappingsAt("media", kw(false))
	doc.AddFieldMappingsAt("districts", kw(false))
	doc.AddFieldMappingsAt("date", date)
	doc.AddFieldMappingsAt("summary", stored)
	doc.AddFieldMappingsAt("url", stored)

	im := bleve.NewIndexMapping()
	im.DefaultMapping = doc
	im.DefaultAnalyzer = cjk.AnalyzerName
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// Open opens the index in dir, creating it when there is none.
func Open(dir string) (*Index, error) {
	b, err := bleve.Open(dir)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		b, err = bleve.New(dir, newMapping())
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	return &Index{b: b}, nil
}

// OpenReadOnly opens an existing index in dir for searching only (a snapshot).
func OpenReadOnly(dir string) (*Index, error) {
	b, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", dir, err)
	}
	return &Index{b: b}, nil
}

// NewMemory returns an empty index held in memory (tests).
func NewMemory() (*Index, error) {
	b, err := bleve.NewMemOnly(newMapping())
	if err != nil {
		return nil, err
	}
	return &Index{b: b}, nil
}

// Close closes the index.
func (x *Index) Close() error { return x.b.Close() }

// Put adds or replaces docs, in one batch.
func (x *Index) Put(docs ...Doc) error {
	batch := x.b.NewBatch()
	for _, d := range docs {
		if err := batch.Index(d.ID, d); err != nil {
			return fmt.Errorf("index %s: %w", d.ID, err)
		}
	}
	return x.b.Batch(batch)
}

// Delete removes docs by id; ids not indexed are ignored.
func (x *Index) Delete(ids ...string) error {
	batch := x.b.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	return x.b.Batch(batch)
}

// Count returns the number of docs.
func (x *Index) Count() (uint64, error) { return x.b.DocCount() }

// maxQueryRunes bounds a query's text.
const maxQueryRunes = 50

// Validate checks a query: text of at most 50 characters with a word in it, or at
// least one filter;
// known kinds.
func (q Query) Validate() error {
	if len([]rune(q.Text)) > maxQueryRunes || len(Words(q.Text)) == 0 && q.Collection == "" && q.Media == "" && q.District == "" && len(q.Kinds) == 0 {
		return ErrQueryInvalid
	}
	for _, k := range q.Kinds {
		if k != KindItem && k != KindNews && k != KindActivity && k != KindVenue {
			return ErrKindInvalid
		}
	}
	return nil
}

// Search answers a query, best first (newest first when it has no words).
func (x *Index) Search(q Query) (Results, error) {
	if err := q.Validate(); err != nil {
		return Results{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	limit = min(limit, 50)
	var must, filters []query.Query
	words := Words(q.Text)
	for _, w := range words {
		must = append(must, x.wordQuery(w))
	}
	if len(q.Kinds) > 0 {
		var any []query.Query
		for _, k := range q.Kinds {
			any = append(any, term("kind", k))
		}
		filters = append(filters, bleve.NewDisjunctionQuery(any...))
	}
	if q.Collection != "" {
		filters = append(filters, term("collection", q.Collection))
	}
	if q.Media != "" {
		filters = append(filters, term("media", q.Media))
	}
	if q.District != "" {
		filters = append(filters, term("districts", q.District))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		dr := bleve.NewDateRangeQuery(q.From, q.To)
		dr.SetField("date")
		filters = append(filters, dr)
	}
	// Filters narrow without scoring: bleve checks them with scoring off, so the date
	// range's many numeric terms are one bitmap union rather than a scored disjunction.
	b := bleve.NewBooleanQuery()
	if len(must) > 0 {
		b.AddMust(must...)
	}
	if len(filters) > 0 {
		b.AddFilter(bleve.NewConjunctionQuery(filters...))
	}
	req := bleve.NewSearchRequestOptions(b, limit, max(q.Offset, 0), false)
	req.Fields = []string{"title", "kind", "summary", "url", "date"}
	if len(words) == 0 {
		req.SortBy([]string{"-date", "_id"})
	}
	res, err := x.b.Search(req)
	if err != nil {
		return Results{}, fmt.Errorf("search: %w", err)
	}
	out := Results{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		hit := Hit{ID: h.ID, Score: h.Score}
		hit.Title, _ = h.Fields["title"].(string)
		hit.Kind, _ = h.Fields["kind"].(string)
		hit.Summary, _ = h.Fields["summary"].(string)
		hit.URL, _ = h.Fields["url"].(string)
		if s, ok := h.Fields["date"].(string); ok {
			hit.Date, _ = time.Parse(time.RFC3339, s)
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// wordQuery matches one word anywhere in a doc, scored by where: the whole word (every
// bigram) in the title counts most, then in the subjects, creators and text. A doc with
// a longer word apart matches when it has bigrams that hold each of its characters
// (醴陵瓷器 is 醴陵 陵瓷 瓷器: a 醴陵 porcelain found as 醴陵的瓷器 has 醴陵 and 瓷器 and
// still matches, a porcelain from elsewhere does not), and scores less. That part is a
// conjunction, which skips through the rarer bigram's postings, where "all bigrams but
// one" was a disjunction that read every doc with the commonest (文化 of 红色文化).
func (x *Index) wordQuery(w string) query.Query {
	tokens := x.tokens(w)
	all := func(field string, boost float64) query.Query {
		m := bleve.NewMatchQuery(w)
		m.SetField(field)
		m.Analyzer = cjk.AnalyzerName
		m.SetOperator(query.MatchQueryOperatorAnd)
		m.SetBoost(boost)
		return m
	}
	clauses := []query.Query{all("title", 6), all("tags", 4), all("names", 4), all("text", 2)}
	if len(tokens) > 2 {
		for _, f := range []struct {
			field string
			boost float64
		}{{"title", 2}, {"tags", 1}, {"text", 0.5}} {
			var ts []query.Query
			for _, t := range cover(tokens) {
				ts = append(ts, term(f.field, t))
			}
			c := bleve.NewConjunctionQuery(ts...)
			c.SetBoost(f.boost)
			clauses = append(clauses, c)
		}
	}
	return bleve.NewDisjunctionQuery(clauses...)
}

// tokens returns the terms the CJK analyser makes of a word.
func (x *Index) tokens(w string) []string {
	a := x.b.Mapping().AnalyzerNamed(cjk.AnalyzerName)
	if a == nil {
		return []string{w}
	}
	var out []string
	for _, t := range a.Analyze([]byte(w)) {
		out = append(out, string(t.Term))
	}
	return out
}

func term(field, value string) query.Query {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	return t
}

// Words splits a query's text into words: runs of letters and digits, full-width forms
// folded, everything else a separator. "搜 醴陵 瓷器！" is [搜 醴陵 瓷器].
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(width.Fold.String(text)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Size returns the bytes the index occupies in dir.
func Size(dir string) (int64, error) {
	var n int64
	err := walk(dir, func(fi os.FileInfo) { n += fi.Size() })
	return n, err
}

// cover returns bigrams that between them hold every character of a word, in order:
// every other bigram, and the last (醴陵 陵瓷 瓷器 gives 醴陵 瓷器).
func cover(tokens []string) []string {
	var out []string
	for i := 0; i < len(tokens); i += 2 {
		out = append(out, tokens[i])
	}
	if len(tokens)%2 == 0 {
		out = append(out, tokens[len(tokens)-1])
	}
	return out
}
