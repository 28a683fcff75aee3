package app_test

import (
	"context"
	"maps"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/notify"
)

// Third-party evaluation's routes in the access matrix: grants and the log are the
// admins'; an export admits admins and the evaluator whose current grant covers the
// district (the matrix's evaluator of X), nobody else. The yearly assessments' are below.
func init() {
	maps.Copy(fixtures, assessmentFixtures)
	maps.Copy(fixtures, assessFixtures)
	maps.Copy(fixtures, surveyFixtures)
}

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

// The yearly assessments' routes in the access matrix: schemes, publication and the
// appointment of reviewers are the admins'; a district's own figures, self-reports and
// evidence its staff's; reviews and the sheet the year's reviewers' (the matrix's
// resident A, appointed by the fixture); the schemes and results are public.
// evidencePDF is the smallest file DetectContentType takes for a PDF.
const evidencePDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

// assessYear defines a fresh year's county and township schemes, each with a
// self-reported indicator "docs", and returns the year.
func (w *arena) assessYear() string {
	n, _ := strconv.Atoi(w.fresh())
	year := strconv.Itoa(2030 + n)
	for _, level := range []string{"county", "township"} {
		w.must(admin, "PUT", "/api/v1/admin/assessments/"+year+"/"+level+"/scheme", `{"indicators":[`+
			`{"id":"sessions","name":"举办活动场次","weight":60,"measure":"sessions","target":100},`+
			`{"id":"docs","name":"制度建设","weight":40,"measure":"self","target":10,"guide":"上传年度工作制度文件"}],"selection":{"count":1,"minScore":0}}`)
	}
	return year
}

// evidence uploads, as an admin, a file for district X's "docs" in year and returns its id.
func (w *arena) evidence(year string) string {
	return str(w.must(admin, "POST", "/api/v1/district-assessments/"+year+"/"+districtX+"/reports/docs/evidence?name=制度.pdf", evidencePDF), "id")
}

var assessFixtures = map[string]fixture{
	"GET /api/v1/assessments/{year}/{level}/scheme": func(w *arena, as caller) call {
		return get("/api/v1/assessments/" + w.assessYear() + "/county/scheme")
	},
	"PUT /api/v1/admin/assessments/{year}/{level}/scheme": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/assessments/2031/village/scheme",
			`{"indicators":[{"id":"att","name":"到场人次","weight":100,"measure":"attendance","target":500}],"selection":{"count":3,"minScore":60}}`)
	},
	"PUT /api/v1/admin/assessment-reviewers/{year}/{openid}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/admin/assessment-reviewers/2026/o-reviewer-"+w.fresh(), "")
	},
	"GET /api/v1/assessments/{year}/{level}/sheet": func(w *arena, as caller) call {
		year := w.assessYear()
		w.must(admin, "PUT", "/api/v1/admin/assessment-reviewers/"+year+"/"+residentA.openid, "")
		return get("/api/v1/assessments/" + year + "/county/sheet")
	},
	"GET /api/v1/assessments/{year}/{level}/units/{unit}/evidence/{id}": func(w *arena, as caller) call {
		year := w.assessYear()
		w.must(admin, "PUT", "/api/v1/admin/assessment-reviewers/"+year+"/"+residentA.openid, "")
		return get("/api/v1/assessments/" + year + "/county/units/" + districtX + "/evidence/" + w.evidence(year))
	},
	"PUT /api/v1/assessments/{year}/{level}/units/{unit}/reviews/{indicator}": func(w *arena, as caller) call {
		year := w.assessYear()
		w.must(admin, "PUT", "/api/v1/admin/assessment-reviewers/"+year+"/"+residentA.openid, "")
		w.must(admin, "PUT", "/api/v1/district-assessments/"+year+"/"+districtX+"/reports/docs", `{"value":8,"note":"制度 8 项"}`)
		return with("PUT", "/api/v1/assessments/"+year+"/county/units/"+districtX+"/reviews/docs", `{"accept":true,"value":7,"comment":"一项未见文件"}`)
	},
	"POST /api/v1/admin/assessments/{year}/{level}/publish": func(w *arena, as caller) call {
		return post("/api/v1/admin/assessments/"+w.assessYear()+"/county/publish", "")
	},
	"GET /api/v1/assessments/{year}/{level}/results": func(w *arena, as caller) call {
		year := w.assessYear()
		w.must(admin, "POST", "/api/v1/admin/assessments/"+year+"/county/publish", "")
		return get("/api/v1/assessments/" + year + "/county/results")
	},
	"GET /api/v1/district-assessments/{year}/{unit}": func(w *arena, as caller) call {
		return get("/api/v1/district-assessments/" + w.assessYear() + "/" + districtX)
	},
	"PUT /api/v1/district-assessments/{year}/{unit}/reports/{indicator}": func(w *arena, as caller) call {
		return with("PUT", "/api/v1/district-assessments/"+w.assessYear()+"/"+townX+"/reports/docs", `{"value":5,"note":"见附件"}`)
	},
	"POST /api/v1/district-assessments/{year}/{unit}/reports/{indicator}/evidence": func(w *arena, as caller) call {
		return post("/api/v1/district-assessments/"+w.assessYear()+"/"+townX+"/reports/docs/evidence?name=会议纪要.pdf", evidencePDF)
	},
	"GET /api/v1/district-assessments/{year}/{unit}/evidence/{id}": func(w *arena, as caller) call {
		year := w.assessYear()
		return get("/api/v1/district-assessments/" + year + "/" + districtX + "/evidence/" + w.evidence(year))
	},
}

// assessInstitutions defines a fresh year's institution scheme with a self-reported
// "docs", and returns the year and a new institution whose staff is resident A.
func (w *arena) assessInstitutions() (year, id string) {
	n, _ := strconv.Atoi(w.fresh())
	year = strconv.Itoa(2030 + n)
	w.must(admin, "PUT", "/api/v1/admin/assessments/"+year+"/institution/scheme", `{"indicators":[`+
		`{"id":"attendance","name":"到场人次","weight":50,"measure":"attendance","target":1000},`+
		`{"id":"docs","name":"免费开放制度","weight":50,"measure":"self","target":1}],"selection":{"count":1,"minScore":0}}`)
	return year, w.institution()
}

func init() {
	maps.Copy(fixtures, map[string]fixture{
		"GET /api/v1/admin/institutions/{id}/staff": func(w *arena, as caller) call {
			return get("/api/v1/admin/institutions/" + w.institution() + "/staff")
		},
		"PUT /api/v1/admin/institutions/{id}/venues/{venueId}": func(w *arena, as caller) call {
			return with("PUT", "/api/v1/admin/institutions/"+w.institution()+"/venues/"+venueX, "")
		},
		"DELETE /api/v1/admin/institutions/{id}/venues/{venueId}": func(w *arena, as caller) call {
			id := w.institution()
			w.must(admin, "PUT", "/api/v1/admin/institutions/"+id+"/venues/"+venueY, "")
			return with("DELETE", "/api/v1/admin/institutions/"+id+"/venues/"+venueY, "")
		},
		"GET /api/v1/institution-assessments/{year}/{unit}": func(w *arena, as caller) call {
			year, id := w.assessInstitutions()
			return get("/api/v1/institution-assessments/" + year + "/" + id)
		},
		"PUT /api/v1/institution-assessments/{year}/{unit}/reports/{indicator}": func(w *arena, as caller) call {
			year, id := w.assessInstitutions()
			return with("PUT", "/api/v1/institution-assessments/"+year+"/"+id+"/reports/docs", `{"value":1,"note":"已公示"}`)
		},
		"POST /api/v1/institution-assessments/{year}/{unit}/reports/{indicator}/evidence": func(w *arena, as caller) call {
			year, id := w.assessInstitutions()
			return post("/api/v1/institution-assessments/"+year+"/"+id+"/reports/docs/evidence?name=公示.pdf", evidencePDF)
		},
		"GET /api/v1/institution-assessments/{year}/{unit}/evidence/{id}": func(w *arena, as caller) call {
			year, id := w.assessInstitutions()
			e := str(w.must(admin, "POST", "/api/v1/institution-assessments/"+year+"/"+id+"/reports/docs/evidence?name=公示.pdf", evidencePDF), "id")
			return get("/api/v1/institution-assessments/" + year + "/" + id + "/evidence/" + e)
		},
	})
}

// The satisfaction surveys' routes in the access matrix: defining and sending are the
// admins'; results admit admins and the evaluator of X (the survey samples X); the
// form any signed-in person; an answer only the invited (resident A).

// survey defines a survey of X, sent with resident A alone invited, and returns its id.
func (w *arena) survey(sent bool) string {
	ctx := context.Background()
	s := w.a.Surveys()
	sv, err := s.Create(ctx, auth.Claims{OpenID: admin.openid, Roles: admin.roles}, evaluator.Survey{Title: "满意度调查" + w.fresh(),
		Questions: []string{"您对活动满意吗？"}, Districts: []string{districtX}, Days: 30, PerDistrict: 10, ClosesAt: w.now.Add(7 * 24 * time.Hour)})
	if err != nil {
		w.t.Fatal(err)
	}
	if !sent {
		return sv.ID
	}
	inv := evaluator.Invitation{SurveyID: sv.ID, OpenID: residentA.openid, DistrictID: districtX, At: w.now}
	m := notify.Message{ID: "survey." + sv.ID + "." + residentA.openid, Kind: evaluator.SurveyKind, To: residentA.openid, CreatedAt: w.now}
	if _, err := s.Store.Invite(ctx, inv, m); err != nil {
		w.t.Fatal(err)
	}
	if err := s.Store.MarkSent(ctx, sv.ID, []evaluator.Stratum{{DistrictID: districtX, Name: "天元区", Frame: 1, Sampled: 1}}, w.now); err != nil {
		w.t.Fatal(err)
	}
	return sv.ID
}

var surveyFixtures = map[string]fixture{
	"POST /api/v1/admin/surveys": func(w *arena, as caller) call {
		return post("/api/v1/admin/surveys", quoted(`{"title":"满意度调查","questions":["您对活动满意吗？"],"districts":[%q],"days":30,"perDistrict":5,"closesAt":%q}`,
			districtX, rfc(w.now.Add(7*24*time.Hour))))
	},
	"POST /api/v1/admin/surveys/{id}/send": func(w *arena, as caller) call {
		return post("/api/v1/admin/surveys/"+w.survey(false)+"/send", "")
	},
	"GET /api/v1/surveys/{id}/results": func(w *arena, as caller) call {
		return get("/api/v1/surveys/" + w.survey(true) + "/results")
	},
	"GET /api/v1/surveys/{id}": func(w *arena, as caller) call {
		return get("/api/v1/surveys/" + w.survey(true))
	},
	"GET /h5/surveys/{id}": func(w *arena, as caller) call {
		return get("/h5/surveys/" + w.survey(true))
	},
	"POST /h5/surveys/{id}": func(w *arena, as caller) call {
		c := post("/h5/surveys/"+w.survey(true), "q0=4").redirect()
		c.owned = true
		return c
	},
	"POST /api/v1/surveys/{id}/responses": func(w *arena, as caller) call {
		c := post("/api/v1/surveys/"+w.survey(true)+"/responses", `{"answers":[4]}`)
		c.owned = true
		return c
	},
}
