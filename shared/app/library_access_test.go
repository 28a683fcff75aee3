package app_test

import (
	"maps"
	"net/url"
	"strings"
)

// arenaItem is an item about a place of the arena's district X.
var arenaItem = strings.Replace(porcelain, `"430281"`, `"`+districtX+`"`, 1)

// The library's and the news centre's routes in the access matrix: an institution's
// own routes admit admins and its staff (resident A, assigned to each institution the
// fixtures make: the matrix's "member"), nobody else.
func init() { maps.Copy(fixtures, libraryFixtures) }

// institution makes an institution of X with resident A as its staff.
func (w *arena) institution() string {
	id := "inst-" + w.fresh()
	w.must(admin, "POST", "/api/v1/admin/institutions", quoted(`{"id":%q,"name":"天元区图书馆","kind":"library","level":"county","districtId":%q}`, id, districtX))
	w.must(admin, "PUT", "/api/v1/admin/institutions/"+id+"/staff/"+residentA.openid, "")
	return id
}

func (w *arena) collection() string {
	return str(w.must(admin, "POST", "/api/v1/admin/collections", quoted(`{"institutionId":%q,"name":"地方文献%s"}`, w.institution(), w.fresh())), "id")
}

func (w *arena) item(published bool) string {
	id := str(w.must(admin, "POST", "/api/v1/admin/collections/"+w.collection()+"/items", arenaItem), "id")
	if published {
		w.must(admin, "POST", "/api/v1/admin/items/"+id+"/publish", "")
	}
	return id
}

func (w *arena) article(published bool) string {
	id := str(w.must(admin, "POST", "/api/v1/admin/news", quoted(`{"institutionId":%q,"title":"新书上架","body":"本周新到地方文献五十种。","category":"reading"}`, w.institution())), "id")
	if published {
		w.must(admin, "POST", "/api/v1/admin/news/"+id+"/publish", "")
	}
	return id
}

var libraryFixtures = map[string]fixture{
	"POST /api/v1/admin/institutions": func(w *arena, as caller) call {
		return post("/api/v1/admin/institutions", quoted(`{"id":"inst-new-%s","name":"新馆","kind":"museum","level":"county","districtId":%q}`, w.fresh(), districtX))
	},
	"PUT /api/v1/admin/institutions/{id}/staff/{openid}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/institutions/"+w.institution()+"/staff/o-librarian-"+w.fresh(), "")
	},
	"GET /api/v1/collections/{id}/items": func(w *arena, as caller) call { return get("/api/v1/collections/" + w.collection() + "/items") },
	"GET /api/v1/items/{id}":             func(w *arena, as caller) call { return get("/api/v1/items/" + w.item(true)) },
	"POST /api/v1/admin/collections": func(w *arena, as caller) call {
		return post("/api/v1/admin/collections", quoted(`{"institutionId":%q,"name":"老照片"}`, w.institution()))
	},
	"GET /api/v1/admin/collections/{id}/items": func(w *arena, as caller) call {
		return get("/api/v1/admin/collections/" + w.collection() + "/items")
	},
	"POST /api/v1/admin/collections/{id}/items": func(w *arena, as caller) call {
		return post("/api/v1/admin/collections/"+w.collection()+"/items", arenaItem)
	},
	"GET /api/v1/admin/items/{id}": func(w *arena, as caller) call { return get("/api/v1/admin/items/" + w.item(false)) },
	"PUT /api/v1/admin/items/{id}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/items/"+w.item(false), `{"version":1,`+arenaItem[1:])
	},
	"POST /api/v1/admin/items/{id}/publish":   func(w *arena, as caller) call { return post("/api/v1/admin/items/"+w.item(false)+"/publish", "") },
	"POST /api/v1/admin/items/{id}/unpublish": func(w *arena, as caller) call { return post("/api/v1/admin/items/"+w.item(true)+"/unpublish", "") },
	"DELETE /api/v1/admin/items/{id}":         func(w *arena, as caller) call { return with("DELETE", "/api/v1/admin/items/"+w.item(false), "") },
	"POST /api/v1/admin/items/{id}/uploads": func(w *arena, as caller) call {
		return post("/api/v1/admin/items/"+w.item(false)+"/uploads", `{"filename":"a.png","contentType":"image/png","size":1000}`)
	},
	"GET /api/v1/admin/library/audit": func(w *arena, as caller) call {
		return get("/api/v1/admin/library/audit?institution=" + w.institution())
	},
	"GET /api/v1/admin/library/storage": func(w *arena, as caller) call {
		w.institution()
		return get("/api/v1/admin/library/storage")
	},
	"GET /api/v1/news/{id}": func(w *arena, as caller) call { return get("/api/v1/news/" + w.article(true)) },
	"POST /api/v1/admin/news": func(w *arena, as caller) call {
		return post("/api/v1/admin/news", quoted(`{"institutionId":%q,"title":"开馆通知","body":"春节期间正常开放。","category":"notice"}`, w.institution()))
	},
	"GET /api/v1/admin/news": func(w *arena, as caller) call { return get("/api/v1/admin/news?institution=" + w.institution()) },
	"PUT /api/v1/admin/news/{id}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/news/"+w.article(false), `{"version":1,"title":"新书上架（更新）","body":"本周新到地方文献六十种。","category":"reading"}`)
	},
	"POST /api/v1/admin/news/{id}/publish": func(w *arena, as caller) call {
		return post("/api/v1/admin/news/"+w.article(false)+"/publish", "")
	},
	"GET /h5/collections/{id}": func(w *arena, as caller) call { return get("/h5/collections/" + w.collection()) },
	"GET /h5/items/{id}":       func(w *arena, as caller) call { return get("/h5/items/" + w.item(true)) },
	"GET /h5/news/{id}":        func(w *arena, as caller) call { return get("/h5/news/" + w.article(true)) },
	"POST /h5/me/subscriptions": func(w *arena, as caller) call {
		return post("/h5/me/subscriptions", url.Values{"topic": {"category:heritage"}, "consent": {"1"}}.Encode()).redirect()
	},
	"POST /h5/me/subscriptions/delete": func(w *arena, as caller) call {
		return post("/h5/me/subscriptions/delete", url.Values{"topic": {"category:sports"}}.Encode()).redirect()
	},
	"PUT /api/v1/me/subscriptions/{topic}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/me/subscriptions/category:heritage", `{"consent":true}`)
	},
	"DELETE /api/v1/me/subscriptions/{topic}": func(w *arena, as caller) call {
		if as.openid != "" {
			w.must(as, "PUT", "/api/v1/me/subscriptions/category:sports", `{"consent":true}`)
		}
		return with("DELETE", "/api/v1/me/subscriptions/category:sports", "")
	},
}
