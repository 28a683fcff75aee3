package app_test

import (
	"bytes"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
)

// The console's pages of the assessments, the evaluators and the surveys in the access
// matrix, each with the rule of the JSON route it stands beside: a district's own pages
// its staff's, an institution's who works there (resident A), the sheet and reviews the
// year's reviewers' (resident A, appointed), exports and survey results the evaluator
// of X's.
func init() {
	maps.Copy(fixtures, consoleAssessFixtures)
}

// upload is a form with a file: the evidence PDF as "file".
func upload(path string) call {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "制度.pdf")
	fw.Write([]byte(evidencePDF))
	mw.Close()
	c := post(path, buf.String()).redirect()
	c.header = http.Header{"Content-Type": {mw.FormDataContentType()}}
	return c
}

// reviewer appoints resident A a reviewer of year.
func (w *arena) reviewer(year string) {
	w.must(admin, "PUT", "/api/v1/admin/assessment-reviewers/"+year+"/"+residentA.openid, "")
}

var consoleAssessFixtures = map[string]fixture{
	"GET /h5/admin/evaluation/exports/{file}": func(w *arena, as caller) call {
		return get("/h5/admin/evaluation/exports/attendance.csv?district=" + districtX)
	},
	"POST /h5/admin/surveys": func(w *arena, as caller) call {
		return post("/h5/admin/surveys", url.Values{"title": {"满意度调查"}, "questions": {"您对活动满意吗？\n您对场馆满意吗？"},
			"districts": {districtX}, "days": {"30"}, "perDistrict": {"5"}, "closes": {w.now.AddDate(0, 0, 10).Format("2006-01-02")}}.Encode()).redirect()
	},
	"GET /h5/admin/surveys/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/surveys/" + w.survey(true))
	},
	"POST /h5/admin/surveys/{id}/send": func(w *arena, as caller) call {
		return post("/h5/admin/surveys/"+w.survey(false)+"/send", "").redirect()
	},
	"GET /h5/admin/assessments/{year}/{level}/results": func(w *arena, as caller) call {
		year := w.assessYear()
		w.must(admin, "POST", "/api/v1/admin/assessments/"+year+"/county/publish", "")
		return get("/h5/admin/assessments/" + year + "/county/results")
	},
	"GET /h5/admin/assessments/{year}/{level}/sheet": func(w *arena, as caller) call {
		year := w.assessYear()
		w.reviewer(year)
		w.evidence(year)
		return get("/h5/admin/assessments/" + year + "/county/sheet")
	},
	"POST /h5/admin/assessments/{year}/{level}/units/{unit}/reviews/{indicator}": func(w *arena, as caller) call {
		year := w.assessYear()
		w.reviewer(year)
		w.must(admin, "PUT", "/api/v1/district-assessments/"+year+"/"+districtX+"/reports/docs", `{"value":8,"note":"制度 8 项"}`)
		return post("/h5/admin/assessments/"+year+"/county/units/"+districtX+"/reviews/docs", "decision=accept&value=7").redirect()
	},
	"GET /h5/admin/assessments/{year}/{level}/units/{unit}/evidence/{id}": func(w *arena, as caller) call {
		year := w.assessYear()
		w.reviewer(year)
		return get("/h5/admin/assessments/" + year + "/county/units/" + districtX + "/evidence/" + w.evidence(year))
	},
	"POST /h5/admin/assessments/{year}/{level}/publish": func(w *arena, as caller) call {
		return post("/h5/admin/assessments/"+w.assessYear()+"/county/publish", "").redirect()
	},
	"GET /h5/admin/district-assessments/{year}/{unit}": func(w *arena, as caller) call {
		return get("/h5/admin/district-assessments/" + w.assessYear() + "/" + districtX)
	},
	"POST /h5/admin/district-assessments/{year}/{unit}/reports/{indicator}": func(w *arena, as caller) call {
		return post("/h5/admin/district-assessments/"+w.assessYear()+"/"+townX+"/reports/docs", "value=5&note=%E8%A7%81%E9%99%84%E4%BB%B6").redirect()
	},
	"POST /h5/admin/district-assessments/{year}/{unit}/reports/{indicator}/evidence": func(w *arena, as caller) call {
		return upload("/h5/admin/district-assessments/" + w.assessYear() + "/" + townX + "/reports/docs/evidence")
	},
	"GET /h5/admin/district-assessments/{year}/{unit}/evidence/{id}": func(w *arena, as caller) call {
		year := w.assessYear()
		return get("/h5/admin/district-assessments/" + year + "/" + districtX + "/evidence/" + w.evidence(year))
	},
	"GET /h5/admin/institution-assessments/{year}/{unit}": func(w *arena, as caller) call {
		year, id := w.assessInstitutions()
		return get("/h5/admin/institution-assessments/" + year + "/" + id)
	},
	"POST /h5/admin/institution-assessments/{year}/{unit}/reports/{indicator}": func(w *arena, as caller) call {
		year, id := w.assessInstitutions()
		return post("/h5/admin/institution-assessments/"+year+"/"+id+"/reports/docs", "value=1").redirect()
	},
	"POST /h5/admin/institution-assessments/{year}/{unit}/reports/{indicator}/evidence": func(w *arena, as caller) call {
		year, id := w.assessInstitutions()
		return upload("/h5/admin/institution-assessments/" + year + "/" + id + "/reports/docs/evidence")
	},
	"GET /h5/admin/institution-assessments/{year}/{unit}/evidence/{id}": func(w *arena, as caller) call {
		year, id := w.assessInstitutions()
		e := str(w.must(admin, "POST", "/api/v1/institution-assessments/"+year+"/"+id+"/reports/docs/evidence?name=公示.pdf", evidencePDF), "id")
		return get("/h5/admin/institution-assessments/" + year + "/" + id + "/evidence/" + e)
	},
}
