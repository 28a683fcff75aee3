package app_test

import (
	"maps"
	"time"
)

// Third-party evaluation's routes in the access matrix: grants and the log are the
// admins'; an export admits admins and the evaluator whose current grant covers the
// district (the matrix's evaluator of X), nobody else.
func init() { maps.Copy(fixtures, assessmentFixtures) }

// grant makes a current grant of X for a new evaluator and returns its id.
func (w *arena) grant() string {
	body := quoted(`{"openid":"o-evaluator-%s","name":"李评估","organisation":"湖南师范大学公共文化研究中心","districts":[%q],"from":%q,"until":%q}`,
		w.fresh(), districtX, rfc(w.now.Add(-time.Hour)), rfc(w.now.Add(60*24*time.Hour)))
	return str(w.must(admin, "POST", "/api/v1/admin/evaluation-grants", body), "id")
}

var assessmentFixtures = map[string]fixture{
	"POST /api/v1/admin/evaluation-grants": func(w *arena, as caller) call {
		return post("/api/v1/admin/evaluation-grants", quoted(`{"openid":"o-evaluator-new-%s","name":"王评估","organisation":"第三方评估机构","districts":[%q],"from":%q,"until":%q}`,
			w.fresh(), districtX, rfc(w.now), rfc(w.now.Add(30*24*time.Hour))))
	},
	"POST /api/v1/admin/evaluation-grants/{id}/revoke": func(w *arena, as caller) call {
		return post("/api/v1/admin/evaluation-grants/"+w.grant()+"/revoke", "")
	},
	"GET /api/v1/evaluator/exports/{dataset}": func(w *arena, as caller) call {
		return get("/api/v1/evaluator/exports/attendance?district=" + districtX)
	},
}
