// Package admin is the staff console: the pages staff, coordinators and administrators
// open on a phone at the door and on a desktop in the office, under /h5/admin. It is
// served by the console function on the H5 foundation (shared/h5: the same sessions,
// CSRF and 长辈版 as the residents' pages) and calls the same domain services as the
// JSON API, under the same access rules: staff act on what lies in their district's
// subtree, admins on everything.
package admin

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/directorydb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/report"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/web"
)

//go:embed all:templates assets
var files embed.FS

// Base is the path every console page is served under.
const Base = h5.Prefix + "/admin"

// Config is what the console needs: the foundation and the domain services.
type Config struct {
	Site       *h5.Site
	Guard      access.Guard
	Bookings   *booking.Service
	Directory  *directorydb.Directory
	Volunteers *volunteer.Service
	Training   *training.Service
	Evaluation *evaluation.Service
	Teams      *team.Service
	Figures    *figure.Service
	Reports    *report.Service
	// Storage reports the digital resources stored (nil: the report leaves them out).
	Storage       func(ctx context.Context, c auth.Claims) (library.StorageReport, error)
	Notifications notify.Log
	// Third-party evaluation, satisfaction surveys and the yearly assessments, with the
	// check that a person works for an institution.
	Evaluators  *evaluator.Service
	Surveys     *evaluator.Surveys
	Assessments *assessment.Service
	Employees   institution.Guard
	Now         func() time.Time
}

// Console serves the staff console.
type Console struct {
	Config
	t *h5.Templates
}

// New parses the console's templates and registers its assets, served under Base.
func New(cfg Config) (*Console, error) {
	if cfg.Site == nil || cfg.Bookings == nil || cfg.Directory == nil || cfg.Volunteers == nil || cfg.Training == nil ||
		cfg.Evaluation == nil || cfg.Teams == nil || cfg.Figures == nil || cfg.Reports == nil ||
		cfg.Evaluators == nil || cfg.Surveys == nil || cfg.Assessments == nil || cfg.Employees.Store == nil {
		return nil, errors.New("admin: the site and every service are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	assets, _ := fs.Sub(files, "assets")
	if err := cfg.Site.Assets().AddUnder("/admin", assets); err != nil {
		return nil, err
	}
	tpl, _ := fs.Sub(files, "templates")
	t, err := cfg.Site.Parse(tpl, template.FuncMap{
		"apath": func(p string) string { return Base + p },
		"hours": func(minutes int) string { return fmt.Sprintf("%.1f", float64(minutes)/60) },
		"dt":    func(t time.Time) string { return t.In(beijing.Zone).Format("2006-01-02T15:04") },
		"ymd":   func(t time.Time) string { return t.In(beijing.Zone).Format(time.DateOnly) },
		"has":   func(v url.Values, key, value string) bool { return slices.Contains(v[key], value) },
		"seq":   func(n int) []int { return make([]int, n) },
		"inc":   func(i int) int { return i + 1 },
		"num":   num,
		"est":   estimate,
	})
	if err != nil {
		return nil, err
	}
	t.Home(Base, "返回工作台")
	return &Console{Config: cfg, t: t}, nil
}

// Router returns the console's routes on a page router of the site (cookie sessions,
// CSRF on every form), its refusals drawn in the console's layout.
func (c *Console) Router(p *access.Policy) *web.Router {
	rt := c.Site.PagesRouter(p, c.t)
	c.Routes(rt)
	return rt
}

// page is what every console page's handler gets: the request's caller.
func claims(r *http.Request) auth.Claims {
	cl, _ := auth.FromContext(r.Context())
	return cl
}

// render draws a console page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, status int, v h5.View) {
	c.t.Render(w, r, name, status, v)
}

// fail draws the error page of err in the console's layout.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.t.Error(w, r, err)
}

// done redirects after a form (post/redirect/get) to a page that says what happened:
// ok names one of notices, never free text (a link cannot make the page say anything).
func done(w http.ResponseWriter, r *http.Request, to, ok string) {
	if ok != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "ok=" + ok
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// finish ends a form's action that returns to back: refused with a link back (linkText)
// when err is not nil, else back there with the notice ok.
func (c *Console) finish(w http.ResponseWriter, r *http.Request, err error, back, linkText, ok string) {
	if err != nil {
		c.t.Refuse(w, r, err, h5.Refusal{Message: formError(err), Link: back, LinkText: linkText})
		return
	}
	done(w, r, back, ok)
}

// notices are what a page says after a form succeeded (done's ok).
var notices = map[string]string{
	"activity":   "活动已保存。",
	"slot":       "场次已保存，居民现在可以预约。",
	"cancelled":  "场次已取消，每位持票人都会收到通知。",
	"schedule":   "课程表已保存，课程已按周生成。",
	"poll":       "点单已发布，村民可以投票了。",
	"verified":   "放映已核验。",
	"lifted":     "已解除暂停，该居民现在可以预约。",
	"approve":    "已通过，志愿者会收到通知。",
	"reject":     "已驳回，申请人会收到通知和原因。",
	"suspend":    "已暂停该志愿者。",
	"retire":     "已办理退出。",
	"reinstate":  "已恢复该志愿者。",
	"hours":      "时长已记入，并留有原因备查。",
	"shift":      "班次已创建，可以下载二维码海报。",
	"training":   "培训已创建。",
	"attendance": "出勤已记录。",
	"reply":      "已回复，居民会收到通知。",
	"team":       "团队已审核通过。",
	"rated":      "星级评定已保存。",
	"call":       "征集已发布。",
	"score":      "评分已保存。",
	"selected":   "评选结果已生成。",
	"venue":      "场馆已保存。",
	"district":   "行政区划已保存。",
	"retry":      "已重新排队发送。",
	"survey":     "调查已创建。确认问题和区划无误后，点“抽样并发送邀请”。",
	"sent":       "已抽样，邀请正在通过公众号发送。",
	"reported":   "自评已提交，等待审核。",
	"evidence":   "佐证材料已上传。",
	"reviewed":   "审核结果已保存。",
	"published":  "考评结果已公布。",
}

// notice is what the page says after done, or "".
func notice(r *http.Request) string { return notices[r.URL.Query().Get("ok")] }

// formError is what a form says when the service refused it: the refusal's sentence and
// what to do. Errors that are not the person's (internal, unavailable) are not shown
// here: the caller draws the error page for those (isFormError).
func formError(err error) string {
	if err == nil {
		return ""
	}
	return h5.Sentence(fault.As(err).Message) + "请修改后再提交。"
}

// isFormError reports whether err is a refusal of what was filled in (its form shows
// it), rather than one the error page explains.
// failed answers a form's err, if there is one, and reports whether there was: a
// refusal the person can correct (isFormError) draws the form again with it, anything
// else is the error page.
func (c *Console) failed(w http.ResponseWriter, r *http.Request, err error, again func(error)) bool {
	switch {
	case err == nil:
		return false
	case isFormError(err):
		again(err)
	default:
		c.fail(w, r, err)
	}
	return true
}

func isFormError(err error) bool {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.Conflict, fault.NotFound:
		return true
	}
	return false
}

// statusOf is the HTTP status of a page drawn again with err: 200 without one, the
// refusal's otherwise.
func statusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return web.Status(fault.KindOf(err))
}

// errConfirm is a form whose confirmation box was left unticked.
var errConfirm = fault.New(fault.Invalid, "confirm_required", "请勾选确认后再提交")

// Beijing-time form values: <input type="datetime-local"> and <input type="date">.

// formTime parses a datetime-local value ("2026-12-05T19:30") in Beijing time; zero when
// empty or malformed (the service refuses a zero time with its own error).
func formTime(v string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(v), beijing.Zone)
	if err != nil {
		return time.Time{}
	}
	return t
}

// formLines are the lines of a textarea, trimmed, without the empty ones.
func formLines(v string) []string {
	var lines []string
	for _, line := range strings.Split(v, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// formInt parses a number field; def when empty, -1 when malformed (which every service
// refuses as out of range).
func formInt(v string, def int) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}
