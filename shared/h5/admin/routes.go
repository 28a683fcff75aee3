package admin

import (
	"net/http"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/web"
)

// Routes registers the console's pages on rt, each with the rule of the JSON route it
// stands beside (each is declared in template.yaml under ConsoleFunction and listed in
// docs/api.md):
//
//	GET  /h5/admin                               今日: my sessions today and this week
//	GET  /h5/admin/assets/{name}                 the console's scripts and styles
//	GET  /h5/admin/scan                          检票: the door's scanner (?slot=)
//	POST /h5/admin/checkins                      a scan: the answer, full-screen
//	GET  /h5/admin/slots/{id}                    a session's roster (名单)
//	GET  /h5/admin/slots/{id}/roster.csv         the roster for Excel
//	GET  /h5/admin/slots/{id}/edit               change a session
//	POST /h5/admin/slots/{id}/edit
//	POST /h5/admin/slots/{id}/cancel             cancel it, holders told
//	POST /h5/admin/slots/{id}/verify             the projectionist's verification
//	POST /h5/admin/bookings/{id}/lift            lift the holder's no-show suspension
//	GET  /h5/admin/activities                    activities with sessions
//	GET  /h5/admin/activities/new                a new activity
//	POST /h5/admin/activities
//	GET  /h5/admin/activities/{id}               an activity, its sessions and timetable
//	POST /h5/admin/activities/{id}               edit it
//	POST /h5/admin/activities/{id}/slots         add a session
//	POST /h5/admin/activities/{id}/schedule      its weekly timetable
//	GET  /h5/admin/film-polls                    offer a village a film poll
//	POST /h5/admin/film-polls
//	GET  /h5/admin/film-polls/{id}               its votes
//	GET  /h5/admin/volunteers                    volunteers by status (?status=pending…)
//	GET  /h5/admin/volunteers/{id}               a volunteer, history, hours, decisions
//	POST /h5/admin/volunteers/{id}/approve       coordinators: approve an application
//	POST /h5/admin/volunteers/{id}/reject        … reject it, with a reason
//	POST /h5/admin/volunteers/{id}/suspend
//	POST /h5/admin/volunteers/{id}/retire
//	POST /h5/admin/volunteers/{id}/reinstate
//	POST /h5/admin/volunteers/{id}/hours         honour hours or a correction, with a reason
//	GET  /h5/admin/shifts                        shifts at my venues, a new one
//	POST /h5/admin/shifts
//	GET  /h5/admin/shifts/{id}                   its roster with hours
//	GET  /h5/admin/shifts/{id}/poster            the A4 poster with its QR code, to print
//	GET  /h5/admin/shifts/{id}/poster.pdf        the same as a PDF
//	GET  /h5/admin/trainings                     training compliance, a new course
//	POST /h5/admin/trainings
//	GET  /h5/admin/trainings/{id}                a course: record who attended
//	POST /h5/admin/trainings/{id}/attendance
//	GET  /h5/admin/more                          the rest of the console
//	GET  /h5/admin/help                          使用说明: how to use the console
//	GET  /h5/admin/feedback                      open feedback by deadline
//	POST /h5/admin/feedback/{id}/reply
//	GET  /h5/admin/teams                         teams to approve and rate (?which=)
//	POST /h5/admin/teams/{id}/approve
//	POST /h5/admin/teams/{id}/ratings
//	GET  /h5/admin/figures                       admins: calls and figures due for review
//	POST /h5/admin/figure-calls                  admins: open a year's call
//	GET  /h5/admin/figure-calls/{year}           the panel: applications, scoring
//	POST /h5/admin/figure-applications/{id}/score
//	POST /h5/admin/figure-calls/{year}/selection admins: select the year's ten
//	POST /h5/admin/figures/{id}/status           admins: a figure's review
//	GET  /h5/admin/venues                        venues of my district, a new one
//	POST /h5/admin/venues
//	GET  /h5/admin/venues/{id}                   change a venue
//	POST /h5/admin/venues/{id}
//	GET  /h5/admin/districts                     admins: the district tree
//	POST /h5/admin/districts
//	POST /h5/admin/districts/{id}                admins: rename
//	GET  /h5/admin/reports                       the district's report: charts and table
//	GET  /h5/admin/reports.csv                   the same as CSV
//	GET  /h5/admin/notifications                 deliveries: failed, pending, sent
//	POST /h5/admin/notifications/{id}/retry      send a failed one again
//	GET  /h5/admin/evaluation                    evaluators: grants and downloads; admins: every grant
//	GET  /h5/admin/evaluation/exports/{file}     a de-identified export as CSV ({dataset}.csv)
//	GET  /h5/admin/evaluation-access             admins: the log of every read (?month=)
//	GET  /h5/admin/surveys                       admins: satisfaction surveys, a new one
//	POST /h5/admin/surveys
//	GET  /h5/admin/surveys/{id}                  results with response rates and margins
//	POST /h5/admin/surveys/{id}/send             admins: draw the samples, invite
//	GET  /h5/admin/assessments                   the year's assessments (?year=)
//	GET  /h5/admin/assessments/{year}/{level}/results  the published ranking, charted
//	GET  /h5/admin/assessments/{year}/{level}/sheet    reviewers: figures, self-reports to score
//	POST /h5/admin/assessments/{year}/{level}/units/{unit}/reviews/{indicator}
//	GET  /h5/admin/assessments/{year}/{level}/units/{unit}/evidence/{id}
//	POST /h5/admin/assessments/{year}/{level}/publish  admins: publish the results
//	GET  /h5/admin/{district,institution}-assessments/{year}/{unit}   a unit's own figures
//	POST /h5/admin/{…}-assessments/{year}/{unit}/reports/{indicator}  self-report
//	POST /h5/admin/{…}-assessments/{year}/{unit}/reports/{indicator}/evidence  upload (multipart)
//	GET  /h5/admin/{…}-assessments/{year}/{unit}/evidence/{id}        read it
func (c *Console) Routes(rt *web.Router) {
	page := func(h http.HandlerFunc) http.HandlerFunc { return c.Site.Page(h) }
	rt.Refuse = c.refuseScan(rt.Refuse)
	rt.Handle("GET "+Base, access.OwnScope, page(c.today))
	rt.Handle("GET "+Base+"/assets/{name}", access.Public, c.Site.Assets().ServeHTTP)
	rt.Handle("GET "+Base+"/scan", access.OwnScope, page(c.scan))
	rt.Handle("POST "+Base+"/checkins", access.Staff(c.checkinTarget), page(c.checkin))
	slot := access.Staff(c.slotTarget)
	rt.Handle("GET "+Base+"/slots/{id}", slot, page(c.slotPage))
	rt.Handle("GET "+Base+"/slots/{id}/roster.csv", slot, page(c.rosterCSV))
	rt.Handle("GET "+Base+"/slots/{id}/edit", slot, page(c.editSlotPage))
	rt.Handle("POST "+Base+"/slots/{id}/edit", slot, page(c.editSlot))
	rt.Handle("POST "+Base+"/slots/{id}/cancel", slot, page(c.cancelSlot))
	rt.Handle("POST "+Base+"/slots/{id}/verify", slot, page(c.verifyScreening))
	rt.Handle("POST "+Base+"/bookings/{id}/lift", access.Staff(c.suspensionTarget), page(c.lift))
	activity := access.Staff(c.activityTarget)
	rt.Handle("GET "+Base+"/activities", access.OwnScope, page(c.activities))
	rt.Handle("GET "+Base+"/activities/new", access.OwnScope, page(c.newActivity))
	rt.Handle("POST "+Base+"/activities", access.Staff(c.newActivityTarget), page(c.createActivity))
	rt.Handle("GET "+Base+"/activities/{id}", activity, page(c.activityPage))
	rt.Handle("POST "+Base+"/activities/{id}", activity, page(c.editActivity))
	rt.Handle("POST "+Base+"/activities/{id}/slots", activity, page(c.createSlot))
	rt.Handle("POST "+Base+"/activities/{id}/schedule", activity, page(c.putSchedule))
	rt.Handle("GET "+Base+"/film-polls", access.OwnScope, page(c.polls))
	rt.Handle("POST "+Base+"/film-polls", access.Staff(c.pollTarget), page(c.createPoll))
	rt.Handle("GET "+Base+"/film-polls/{id}", access.Staff(c.existingPollTarget), page(c.poll))

	person := access.Staff(c.volunteerTarget)
	rt.Handle("GET "+Base+"/volunteers", access.OwnScope, page(c.volunteers))
	rt.Handle("GET "+Base+"/volunteers/{id}", person, page(c.volunteerPage))
	for _, a := range volunteer.Actions {
		rt.Handle("POST "+Base+"/volunteers/{id}/"+string(a), access.Coordinator(c.volunteerTarget), page(c.decide(a)))
	}
	rt.Handle("POST "+Base+"/volunteers/{id}/hours", person, page(c.hours))
	shift := access.Staff(c.shiftTarget)
	rt.Handle("GET "+Base+"/shifts", access.OwnScope, page(c.shifts))
	rt.Handle("POST "+Base+"/shifts", access.Staff(c.newShiftTarget), page(c.createShift))
	rt.Handle("GET "+Base+"/shifts/{id}", shift, page(c.shiftPage))
	rt.Handle("GET "+Base+"/shifts/{id}/poster", shift, page(c.poster))
	rt.Handle("GET "+Base+"/shifts/{id}/poster.pdf", shift, page(c.posterPDF))
	rt.Handle("GET "+Base+"/trainings", access.OwnScope, page(c.trainings))
	rt.Handle("POST "+Base+"/trainings", access.Staff(c.newCourseTarget), page(c.createCourse))
	rt.Handle("GET "+Base+"/trainings/{id}", access.Staff(c.courseTarget), page(c.course))
	rt.Handle("POST "+Base+"/trainings/{id}/attendance", access.Staff(c.courseTarget), page(c.attend))

	rt.Handle("GET "+Base+"/more", access.OwnScope, page(c.more))
	rt.Handle("GET "+Base+"/help", access.OwnScope, page(c.help))
	rt.Handle("GET "+Base+"/feedback", access.OwnScope, page(c.feedback))
	rt.Handle("POST "+Base+"/feedback/{id}/reply", access.Staff(c.ticketTarget), page(c.reply))
	rt.Handle("GET "+Base+"/teams", access.OwnScope, page(c.teams))
	rt.Handle("POST "+Base+"/teams/{id}/approve", access.Staff(c.teamTarget), page(c.approveTeam))
	rt.Handle("POST "+Base+"/teams/{id}/ratings", access.Staff(c.teamTarget), page(c.rateTeam))
	rt.Handle("GET "+Base+"/figures", access.Admin, page(c.figures))
	rt.Handle("POST "+Base+"/figure-calls", access.Admin, page(c.openCall))
	rt.Handle("GET "+Base+"/figure-calls/{year}", access.Member(c.panelOfYear), page(c.call))
	rt.Handle("POST "+Base+"/figure-applications/{id}/score", access.Member(c.panelOfApplication), page(c.score))
	rt.Handle("POST "+Base+"/figure-calls/{year}/selection", access.Admin, page(c.selectFigures))
	rt.Handle("POST "+Base+"/figures/{id}/status", access.Admin, page(c.figureStatus))
	rt.Handle("GET "+Base+"/venues", access.OwnScope, page(c.venues))
	rt.Handle("POST "+Base+"/venues", access.Staff(c.newVenueTarget), page(c.createVenue))
	rt.Handle("GET "+Base+"/venues/{id}", access.Staff(c.venueTarget), page(c.venue))
	rt.Handle("POST "+Base+"/venues/{id}", access.Staff(c.venueTarget), page(c.updateVenue))
	rt.Handle("GET "+Base+"/districts", access.Admin, page(c.districts))
	rt.Handle("POST "+Base+"/districts", access.Admin, page(c.createDistrict))
	rt.Handle("POST "+Base+"/districts/{id}", access.Admin, page(c.renameDistrict))
	rt.Handle("GET "+Base+"/reports", access.Staff(c.reportTarget), page(c.reports))
	rt.Handle("GET "+Base+"/reports.csv", access.Staff(c.reportTarget), page(c.reportCSV))
	rt.Handle("GET "+Base+"/notifications", access.OwnScope, page(c.notifications))
	rt.Handle("POST "+Base+"/notifications/{id}/retry", access.Staff(c.messageTarget), page(c.retry))

	rt.Handle("GET "+Base+"/evaluation", access.Resident, page(c.evaluation))
	rt.Handle("GET "+Base+"/evaluation/exports/{file}", access.Evaluator(c.exportTarget), page(c.export))
	rt.Handle("GET "+Base+"/evaluation-access", access.Admin, page(c.accessLog))
	rt.Handle("GET "+Base+"/surveys", access.Admin, page(c.surveys))
	rt.Handle("POST "+Base+"/surveys", access.Admin, page(c.createSurvey))
	rt.Handle("GET "+Base+"/surveys/{id}", access.Evaluator(c.surveyTarget), page(c.survey))
	rt.Handle("POST "+Base+"/surveys/{id}/send", access.Admin, page(c.sendSurvey))
	reviewer := access.Member(c.reviewing)
	rt.Handle("GET "+Base+"/assessments", access.Resident, page(c.assessments))
	rt.Handle("GET "+Base+"/assessments/{year}/{level}/results", access.Resident, page(c.results))
	rt.Handle("GET "+Base+"/assessments/{year}/{level}/sheet", reviewer, page(c.sheet))
	rt.Handle("POST "+Base+"/assessments/{year}/{level}/units/{unit}/reviews/{indicator}", reviewer, page(c.review))
	rt.Handle("GET "+Base+"/assessments/{year}/{level}/units/{unit}/evidence/{id}", reviewer, page(c.evidence))
	rt.Handle("POST "+Base+"/assessments/{year}/{level}/publish", access.Admin, page(c.publish))
	for kind, rule := range map[string]access.Rule{ownDistrict: access.Staff(c.unitTarget), ownInstitution: access.Member(c.employee)} {
		own := Base + "/" + kind + "/{year}/{unit}"
		rt.Handle("GET "+own, rule, page(c.unitPage))
		rt.Handle("POST "+own+"/reports/{indicator}", rule, page(c.selfReport))
		rt.Handle("POST "+own+"/reports/{indicator}/evidence", rule, page(c.uploadEvidence))
		rt.Handle("GET "+own+"/evidence/{id}", rule, page(c.evidence))
	}
}
