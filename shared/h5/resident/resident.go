// Package resident is the residents' H5 pages: browsing what is on, booking, tickets,
// 我的预约, volunteering, feedback, ratings, satisfaction surveys and the village film
// vote. The pages call the
// domain services with the same rules and errors as the JSON API, and every refusal is
// a Chinese sentence saying what to do next.
package resident

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/web"
)

//go:embed all:templates assets
var files embed.FS

// Config is what the pages need.
type Config struct {
	Site       *h5.Site
	Bookings   *booking.Service
	Directory  Directory
	People     account.Store
	Rights     account.Rights // the export and the erasure of one's data
	Volunteers *volunteer.Service
	Evaluation *evaluation.Service
	Surveys    *evaluator.Surveys
	Now        func() time.Time
}

// Directory is the district tree and the venues, and districts' paths.
type Directory interface {
	directory.Store
	account.Districts
}

// Pages serves the residents' pages.
type Pages struct {
	Config
	t *h5.Templates
}

// New parses the pages' templates and registers their assets on the site.
func New(cfg Config) (*Pages, error) {
	if cfg.Site == nil || cfg.Bookings == nil || cfg.Directory == nil || cfg.People == nil || cfg.Rights == nil || cfg.Volunteers == nil || cfg.Evaluation == nil || cfg.Surveys == nil {
		return nil, fmt.Errorf("resident: Site, Bookings, Directory, People, Rights, Volunteers, Evaluation and Surveys are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	assets, _ := fs.Sub(files, "assets")
	if err := cfg.Site.Assets().Add(assets); err != nil {
		return nil, err
	}
	tpl, _ := fs.Sub(files, "templates")
	t, err := cfg.Site.Parse(tpl, template.FuncMap{})
	if err != nil {
		return nil, err
	}
	return &Pages{Config: cfg, t: t}, nil
}

// Routes registers the pages on rt (each route is declared in template.yaml):
//
//	GET  /h5                        home: the four kinds, what is on, filters by district and day
//	GET  /h5/activities             the same, as the chat and the menu link it (?kind=film)
//	GET  /h5/activities/{id}        an activity and its upcoming sessions
//	GET  /h5/slots/{id}             a session: places, rules and the booking form
//	POST /h5/slots/{id}/bookings    book, join the waiting list or enter the ballot
//	GET  /h5/slots/{id}/draw        a ballot's commitment, then its published draw
//	GET  /h5/bookings/{id}          a booking: the result, its QR ticket and short code
//	GET  /h5/bookings/{id}/ticket   the QR ticket full-screen, for the door
//	GET  /h5/bookings/{id}/cancel   the cancellation's confirmation, with the cut-off
//	POST /h5/bookings/{id}/cancel   cancel, or leave the waiting list
//	GET  /h5/me/bookings            我的预约: upcoming, then past and cancelled
//	GET  /h5/venues/{id}            a venue: address, hours, accessibility, what is on
//	GET  /h5/map                    venues nearest the phone (?near=lat,lng) or of a district
//	POST /h5/me/district            set where one lives (a village's sessions and votes)
//	GET  /h5/privacy                隐私说明: what is kept, why and for how long; one's rights
//	GET  /h5/me/family              我的家人: the dependants one books for
//	POST /h5/me/family              add one
//	POST /h5/me/family/{id}/delete  remove one
//	POST /h5/me/family/{id}/takeover  让TA自己管理: the one-time link and its QR code
//	GET  /h5/takeover/{code}        the link: what becomes one's own, the confirmation, the result
//	POST /h5/takeover/{code}        take over (confirm=1)
//	GET  /h5/me/data                导出我的数据: what the file holds, the download
//	GET  /h5/me/data/export         the file (JSON), as GET /api/v1/me/export
//	GET  /h5/me/erase               注销账号: what is erased, what is kept and why
//	POST /h5/me/erase               erase (confirm=注销); the session ends
//	GET  /h5/erased                 the account is gone
//	GET  /h5/me/consents            同意与授权: messages and location, withdrawable
//	POST /h5/me/consents/{purpose}  agree (granted=1) or withdraw (granted=0)
//	GET  /h5/me/volunteer           register, or status, hours, shifts and the certificate
//	POST /h5/me/volunteer           the registration
//	GET  /h5/me/volunteer/certificate  the service-record certificate (PDF)
//	POST /h5/shifts/{id}/signup     sign up for a shift
//	POST /h5/shifts/{id}/withdraw   withdraw from it
//	GET  /h5/feedback               建议/反馈: the form and one's tickets with the replies
//	POST /h5/feedback               file a ticket
//	GET  /h5/activities/{id}/rate   rate an activity attended: stars and a comment
//	POST /h5/activities/{id}/rate   the rating
//	GET  /h5/surveys/{id}           a satisfaction survey, for the invited
//	POST /h5/surveys/{id}           answer it, once
//	GET  /h5/polls/{id}             a village's film vote
//	POST /h5/polls/{id}/votes       vote
//	GET  /h5/screenings/{id}/verify the projectionist's verification (staff)
//	POST /h5/screenings/{id}/verify verify: location and head-count
func (p *Pages) Routes(rt *web.Router) {
	s := p.Site
	page := func(pattern string, rule access.Rule, h http.HandlerFunc) {
		rt.Handle(pattern, rule, s.Page(h))
	}
	page("GET "+h5.Prefix, access.Public, p.home)
	page("GET "+h5.Prefix+"/activities", access.Public, p.home)
	page("GET "+h5.Prefix+"/activities/{id}", access.Public, p.activity)
	page("GET "+h5.Prefix+"/slots/{id}", access.Public, p.slot)
	page("POST "+h5.Prefix+"/slots/{id}/bookings", access.Resident, p.book)
	page("GET "+h5.Prefix+"/slots/{id}/draw", access.Public, p.draw)
	page("GET "+h5.Prefix+"/bookings/{id}", access.Resident, p.booking)
	page("GET "+h5.Prefix+"/bookings/{id}/ticket", access.Resident, p.ticket)
	page("GET "+h5.Prefix+"/bookings/{id}/cancel", access.Resident, p.cancelForm)
	page("POST "+h5.Prefix+"/bookings/{id}/cancel", access.Resident, p.cancel)
	page("GET "+h5.Prefix+"/me/bookings", access.Resident, p.myBookings)
	page("GET "+h5.Prefix+"/venues/{id}", access.Public, p.venue)
	page("GET "+h5.Prefix+"/map", access.Public, p.nearMap)
	page("POST "+h5.Prefix+"/me/district", access.Resident, p.setHome)
	page("GET "+h5.Prefix+"/privacy", access.Public, p.privacy)
	page("GET "+h5.Prefix+"/me/family", access.Resident, p.familyPage)
	page("POST "+h5.Prefix+"/me/family", access.Resident, p.addDependant)
	page("POST "+h5.Prefix+"/me/family/{id}/delete", access.Resident, p.removeDependant)
	page("POST "+h5.Prefix+"/me/family/{id}/takeover", access.Resident, p.offerTakeover)
	page("GET "+h5.Prefix+"/takeover/{code}", access.Resident, p.takeoverPage)
	page("POST "+h5.Prefix+"/takeover/{code}", access.Resident, p.takeOver)
	page("GET "+h5.Prefix+"/me/data", access.Resident, p.myData)
	rt.Handle("GET "+h5.Prefix+"/me/data/export", access.Resident, p.exportData)
	page("GET "+h5.Prefix+"/me/erase", access.Resident, p.eraseForm)
	page("POST "+h5.Prefix+"/me/erase", access.Resident, p.erase)
	page("GET "+h5.Prefix+"/erased", access.Public, p.erased)
	page("GET "+h5.Prefix+"/me/consents", access.Resident, p.consentsPage)
	page("POST "+h5.Prefix+"/me/consents/{purpose}", access.Resident, p.decide)
	page("GET "+h5.Prefix+"/me/volunteer", access.Resident, p.volunteerPage)
	page("POST "+h5.Prefix+"/me/volunteer", access.Resident, p.register)
	rt.Handle("GET "+h5.Prefix+"/me/volunteer/certificate", access.Resident, p.certificate)
	page("POST "+h5.Prefix+"/shifts/{id}/signup", access.Resident, p.signUp)
	page("POST "+h5.Prefix+"/shifts/{id}/withdraw", access.Resident, p.withdraw)
	page("GET "+h5.Prefix+"/feedback", access.Resident, p.feedback)
	page("POST "+h5.Prefix+"/feedback", access.Resident, p.fileFeedback)
	page("GET "+h5.Prefix+"/activities/{id}/rate", access.Resident, p.rateForm)
	page("POST "+h5.Prefix+"/activities/{id}/rate", access.Resident, p.rate)
	page("GET "+h5.Prefix+"/surveys/{id}", access.Resident, p.survey)
	page("POST "+h5.Prefix+"/surveys/{id}", access.Resident, p.answerSurvey)
	page("GET "+h5.Prefix+"/polls/{id}", access.Public, p.poll)
	page("POST "+h5.Prefix+"/polls/{id}/votes", access.Resident, p.vote)
	screening := access.Staff(func(r *http.Request) ([]string, error) {
		return p.Bookings.SlotScope(r.Context(), r.PathValue("id"))
	})
	page("GET "+h5.Prefix+"/screenings/{id}/verify", screening, p.screeningForm)
	page("POST "+h5.Prefix+"/screenings/{id}/verify", screening, p.verifyScreening)
}
