package resident

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// statusNames are a volunteer's statuses as the page says them.
var statusNames = map[volunteer.Status]string{
	volunteer.StatusPending: "待审核", volunteer.StatusActive: "在册", volunteer.StatusSuspended: "暂停服务",
	volunteer.StatusRetired: "已退出", volunteer.StatusRejected: "未通过审核",
}

// categoryNames are the volunteer categories.
var categoryNames = []Option{
	{Value: string(volunteer.CategoryCulture), Text: "文化志愿者"},
	{Value: string(volunteer.CategorySportsInstructor), Text: "社会体育指导员"},
}

type registerData struct {
	Form      volunteer.Application
	Skills    string
	Errors    map[string]string // field → the sentence under it
	Districts []Option
	Category  []Option
}

// ShiftRow is a shift as the volunteer page lists it.
type ShiftRow struct {
	Shift     volunteer.Shift
	Left      int
	Mine      bool // signed up
	CanJoin   bool
	CanLeave  bool
	Signup    volunteer.SignupView
	VenueName string
}

type volunteerData struct {
	Profile volunteer.Profile
	Status  string
	Active  bool
	Shifts  []ShiftRow // upcoming: those signed up for, then the others
	Past    []volunteer.SignupView
	Notice  string
}

// volunteerPage serves GET /h5/me/volunteer: the registration form for someone who has
// not applied; otherwise their status, hours, shifts to sign up for or withdraw from,
// and the certificate.
func (p *Pages) volunteerPage(w http.ResponseWriter, r *http.Request) {
	prof, err := p.Volunteers.Me(r.Context(), caller(r))
	if errors.Is(err, volunteer.ErrNotApplied) {
		p.registerForm(w, r, http.StatusOK, registerData{Form: volunteer.Application{Category: volunteer.CategoryCulture}})
		return
	}
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := volunteerData{Profile: prof, Status: statusNames[prof.Status], Active: prof.Status == volunteer.StatusActive}
	switch r.URL.Query().Get("done") {
	case "applied":
		d.Notice = "申请已提交，请等待所在地区的志愿服务协调员审核，审核结果会通知您。"
	case "signed":
		d.Notice = "报名成功！请按时到场，到场后用微信扫场馆的班次二维码签到。"
	case "withdrawn":
		d.Notice = "已退出该班次的报名。"
	}
	now := p.Now()
	mine := map[string]volunteer.SignupView{}
	for _, su := range prof.Signups {
		if su.Status != volunteer.SignedUp {
			continue
		}
		if su.EndsAt.After(now) {
			mine[su.ShiftID] = su
		} else {
			d.Past = append(d.Past, su)
		}
	}
	shifts, err := p.Volunteers.Shifts(r.Context())
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	var others []ShiftRow
	for _, sh := range shifts {
		su, signed := mine[sh.ID]
		row := ShiftRow{Shift: sh, Left: max(0, sh.Capacity-sh.SignedUp), Mine: signed, Signup: su}
		if v, err := p.Directory.Venue(r.Context(), sh.VenueID); err == nil {
			row.VenueName = v.Name
		}
		row.CanJoin = !signed && d.Active && now.Before(sh.StartsAt) && row.Left > 0 &&
			(sh.Category == "" || sh.Category == prof.Category)
		row.CanLeave = signed && su.CheckedInAt.IsZero() && now.Before(p.Volunteers.WithdrawClosesAt(sh))
		if signed {
			d.Shifts = append(d.Shifts, row)
		} else if now.Before(sh.StartsAt) {
			others = append(others, row)
		}
	}
	d.Shifts = append(d.Shifts, others...)
	p.t.Render(w, r, "volunteer", http.StatusOK, h5.View{Title: "志愿者", Tab: "volunteer", Data: d})
}

func (p *Pages) registerForm(w http.ResponseWriter, r *http.Request, status int, d registerData) {
	districts, err := p.Directory.Districts(r.Context())
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d.Districts = append(d.Districts, Option{Value: "", Text: "请选择所在街道（乡镇）"})
	names := map[string]string{}
	for _, dist := range districts {
		names[dist.ID] = dist.Name
		if dist.Level == directory.LevelTownship {
			d.Districts = append(d.Districts, Option{Value: dist.ID, Text: names[dist.ParentID] + " " + dist.Name, Selected: dist.ID == d.Form.DistrictID})
		}
	}
	for _, c := range categoryNames {
		c.Selected = c.Value == string(d.Form.Category)
		d.Category = append(d.Category, c)
	}
	p.t.Render(w, r, "register", status, h5.View{Title: "志愿者注册", Tab: "volunteer", Data: d})
}

// register serves POST /h5/me/volunteer: the application, as POST /api/v1/volunteers.
// Every field that breaks a rule gets its sentence under it, all at once, with what was
// typed kept (the ID number too: it is not stored until the application is).
func (p *Pages) register(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	a := volunteer.Application{
		Name: strings.TrimSpace(f.Get("name")), Phone: strings.TrimSpace(f.Get("phone")),
		IDNumber: strings.ToUpper(strings.TrimSpace(f.Get("idNumber"))), DistrictID: f.Get("districtId"),
		Category: volunteer.Category(f.Get("category")), Team: strings.TrimSpace(f.Get("team")),
	}
	skills := strings.TrimSpace(f.Get("skills"))
	a.Skills = strings.FieldsFunc(skills, func(r rune) bool { return r == '，' || r == ',' || r == '、' || r == ' ' })
	d := registerData{Form: a, Skills: skills, Errors: map[string]string{}}
	for field, err := range a.Problems() {
		d.Errors[field] = fault.As(err).Message
	}
	if a.DistrictID == "" {
		d.Errors["districtId"] = "请选择您所在的街道（乡镇）"
	}
	if len(d.Errors) > 0 {
		p.registerForm(w, r, http.StatusBadRequest, d)
		return
	}
	if _, err := p.Volunteers.Apply(r.Context(), caller(r), a); err != nil {
		switch fe := fault.As(err); fe.Code {
		case "district_not_found":
			d.Errors["districtId"] = "请选择您所在的街道（乡镇）"
		case "id_number_registered":
			d.Errors["idNumber"] = "该身份证号码已登记为志愿者。如是本人，请在「建议/反馈」中联系我们。"
		default:
			p.refuse(w, r, err)
			return
		}
		p.registerForm(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/volunteer?done=applied", http.StatusSeeOther)
}

// signUp serves POST /h5/shifts/{id}/signup, as POST /api/v1/shifts/{id}/signups.
func (p *Pages) signUp(w http.ResponseWriter, r *http.Request) {
	if _, err := p.Volunteers.SignUp(r.Context(), caller(r), r.PathValue("id")); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/volunteer?done=signed", http.StatusSeeOther)
}

// withdraw serves POST /h5/shifts/{id}/withdraw, as DELETE /api/v1/shifts/{id}/signups.
func (p *Pages) withdraw(w http.ResponseWriter, r *http.Request) {
	if err := p.Volunteers.Withdraw(r.Context(), caller(r), r.PathValue("id")); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/volunteer?done=withdrawn", http.StatusSeeOther)
}

// certificate serves GET /h5/me/volunteer/certificate: this year's (or ?year=)
// service-record certificate as the PDF the JSON API serves.
func (p *Pages) certificate(w http.ResponseWriter, r *http.Request) {
	year := atoi(r.URL.Query().Get("year"))
	c, err := p.Volunteers.Certificate(r.Context(), caller(r), year)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `inline; filename="volunteer-certificate-`+url.PathEscape(c.From.Format("2006"))+`.pdf"`)
	_, _ = w.Write(c.PDF())
}
