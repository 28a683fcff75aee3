package search

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/web"
)

// Errors of the route's parameters.
var (
	ErrParamInvalid = fault.New(fault.Invalid, "search_param_invalid", "搜索参数不正确：每页条数为 1 到 50，起始位置不小于 0，日期格式如 2026-01-31")
	ErrUnavailable  = fault.New(fault.Unavailable, "search_unavailable", "搜索暂时不可用，请稍后再试")
)

// Routes adds the search route to rt (docs/api.md):
//
//	GET /api/v1/search?q=&kind=&collection=&media=&district=&from=&to=&limit=&offset=
func Routes(rt *web.Router, index func(ctx context.Context) (*Index, error)) {
	rt.Handle("GET /api/v1/search", access.Public, func(w http.ResponseWriter, r *http.Request) {
		q, err := ParseQuery(r.URL.Query().Get)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		if err := q.Validate(); err != nil {
			web.Error(w, r, err)
			return
		}
		idx, err := index(r.Context())
		if err != nil {
			web.Error(w, r, ErrUnavailable.Wrap(err))
			return
		}
		res, err := idx.Search(q)
		web.Answer(w, r, http.StatusOK, res, err)
	})
}

// ParseQuery reads a query from URL parameters: q, kind (comma-separated), collection,
// media, district, from and to (YYYY-MM-DD), limit, offset.
func ParseQuery(get func(string) string) (Query, error) {
	q := Query{Text: get("q"), Collection: get("collection"), Media: get("media"), District: get("district")}
	if k := get("kind"); k != "" {
		q.Kinds = strings.Split(k, ",")
	}
	if q.Media != "" && !slices.Contains([]string{"image", "audio", "video", "pdf"}, q.Media) {
		return Query{}, ErrParamInvalid
	}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := get(p.name); s != "" {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return Query{}, ErrParamInvalid
			}
			*p.to = t
		}
	}
	var err error
	if q.Limit, err = input.Int(get("limit"), q.Limit, 1, 50, ErrParamInvalid); err != nil {
		return Query{}, err
	}
	if q.Offset, err = input.Int(get("offset"), q.Offset, 0, 10000, ErrParamInvalid); err != nil {
		return Query{}, err
	}
	return q, nil
}
