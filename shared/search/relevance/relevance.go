// Package relevance is the search's hand-labelled query set: a small corpus of the
// city's culture and, for each query, the docs a person would want. The tests and the
// search benchmark measure precision at 10 with it.
package relevance

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/wentitong/wentitong/shared/search"
)

//go:embed labelled.json
var labelled []byte

// Query is a labelled query.
type Query struct {
	Text     string   `json:"text"`
	Relevant []string `json:"relevant"`
}

// Set is the corpus and its labelled queries.
type Set struct {
	Docs    []search.Doc `json:"docs"`
	Queries []Query      `json:"queries"`
}

// Load returns the labelled set.
func Load() (Set, error) {
	var s Set
	if err := json.Unmarshal(labelled, &s); err != nil {
		return Set{}, fmt.Errorf("relevance: %w", err)
	}
	for i := range s.Docs {
		s.Docs[i].Summary = s.Docs[i].Text
	}
	return s, nil
}

// Judged is one query's outcome.
type Judged struct {
	Query     string
	Precision float64 // relevant hits among the first ten returned
	Recall    float64 // of the relevant docs, those in the first ten
	Top       string  // the first hit
	TopOK     bool    // the first hit is relevant
}

// Judge runs every labelled query against idx.
func (s Set) Judge(idx *search.Index) ([]Judged, error) {
	var out []Judged
	for _, q := range s.Queries {
		res, err := idx.Search(search.Query{Text: q.Text, Limit: 10})
		if err != nil {
			return nil, err
		}
		j := Judged{Query: q.Text}
		hit := 0
		for i, h := range res.Hits {
			ok := slices.Contains(q.Relevant, h.ID)
			if ok {
				hit++
			}
			if i == 0 {
				j.Top, j.TopOK = h.ID, ok
			}
		}
		if n := len(res.Hits); n > 0 {
			j.Precision = float64(hit) / float64(n)
		}
		j.Recall = float64(hit) / float64(len(q.Relevant))
		out = append(out, j)
	}
	return out, nil
}

// Mean returns the mean precision and recall of judged queries.
func Mean(js []Judged) (precision, recall float64) {
	for _, j := range js {
		precision += j.Precision
		recall += j.Recall
	}
	n := float64(max(len(js), 1))
	return precision / n, recall / n
}
