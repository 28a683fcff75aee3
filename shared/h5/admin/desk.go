package admin

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/rubric"
	"github.com/wentitong/wentitong/shared/team"
)

type moreData struct {
	Admin                  bool
	Open, Overdue          int // feedback awaiting an answer, of which past its deadline
	Next                   string
	NextDue                time.Time // the one to answer first, and by when
	PendingTeams, Failures int
}

// more serves GET /h5/admin/more: the rest of the console, with what waits for the
// caller in their district: feedback to answer, teams to approve, messages that failed.
func (c *Console) more(w http.ResponseWriter, r *http.Request) {
	ctx, cl := r.Context(), claims(r)
	d := moreData{Admin: cl.Has(auth.RoleAdmin)}
	open, err := c.Evaluation.Open(ctx, cl)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.Now()
	for _, t := range open {
		d.Open++
		if t.Overdue(now) {
			d.Overdue++
		}
		if d.Next == "" || t.DueAt.Before(d.NextDue) {
			d.Next, d.NextDue = t.Text, t.DueAt
		}
	}
	if r := []rune(d.Next); len(r) > 30 {
		d.Next = string(r[:30]) + "…"
	}
	pending, err := c.Teams.Review(ctx, cl, team.StatusPending)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	failed, err := c.Notifications.Deliveries(ctx, cl, notify.StatusFailed, 100)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d.PendingTeams, d.Failures = len(pending), len(failed)
	c.render(w, r, "more", http.StatusOK, h5.View{Title: "更多", Tab: "more", Data: d})
}

// FeedbackRow is an open feedback ticket.
type FeedbackRow struct {
	ID, Category, Text, Place, Source string
	CreatedAt, DueAt                  time.Time
	Overdue                           bool
}

type feedbackData struct {
	Notice, Error string
	Open          []FeedbackRow
	Failed        string // the ticket whose reply was refused
	Reply         string
}

// feedback serves GET /h5/admin/feedback: the open feedback of the caller's district,
// the nearest deadline first, each with a reply form.
func (c *Console) feedback(w http.ResponseWriter, r *http.Request) {
	c.renderFeedback(w, r, "", "", nil)
}

func (c *Console) renderFeedback(w http.ResponseWriter, r *http.Request, failed, reply string, ferr error) {
	ctx := r.Context()
	open, err := c.Evaluation.Open(ctx, claims(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	slices.SortStableFunc(open, func(a, b evaluation.Ticket) int { return a.DueAt.Compare(b.DueAt) })
	now := c.Now()
	d := feedbackData{Notice: notice(r), Error: formError(ferr), Failed: failed, Reply: reply}
	districts, venues := map[string]string{}, map[string]string{}
	for _, t := range open {
		place := c.districtName(ctx, districts, t.DistrictID)
		if t.VenueID != "" {
			place = c.venueName(ctx, venues, t.VenueID)
		}
		src := "公众号"
		if t.Source == "h5" {
			src = "网页"
		}
		d.Open = append(d.Open, FeedbackRow{ID: t.ID, Category: evaluation.CategoryTexts[t.Category], Text: t.Text, Place: place, Source: src,
			CreatedAt: t.CreatedAt, DueAt: t.DueAt, Overdue: t.Overdue(now)})
	}
	status := statusOf(ferr)
	c.render(w, r, "feedback", status, h5.View{Title: "群众意见", Tab: "more", Back: Base + "/more", Data: d})
}

// ticketTarget is the rule's target of a reply: the ticket's district.
func (c *Console) ticketTarget(r *http.Request) ([]string, error) {
	return c.Evaluation.TicketScope(r.Context(), r.PathValue("id"))
}

// reply serves POST /h5/admin/feedback/{id}/reply (text): the resident gets it as a
// WeChat message.
func (c *Console) reply(w http.ResponseWriter, r *http.Request) {
	text := r.PostForm.Get("text")
	if _, err := c.Evaluation.Reply(r.Context(), claims(r), r.PathValue("id"), text); c.failed(w, r, err,
		func(err error) { c.renderFeedback(w, r, r.PathValue("id"), text, err) }) {
		return
	}
	done(w, r, Base+"/feedback", "reply")
}

// TeamRow is a team to approve or rate.
type TeamRow struct {
	ID, Name, Category, District, Status, Leader, Phone, Description string
	Members, Stars                                                   int
	Pending                                                          bool
	NextReviewAt                                                     time.Time
}

type teamsData struct {
	Notice, Error string
	Which         string
	Tabs          []Option
	Teams         []TeamRow
	Criteria      []team.Criterion
	Failed        string
}

var teamCategoryNames = map[string]string{
	"choir": "合唱", "dance": "舞蹈", "opera": "戏曲", "folk_arts": "曲艺、民间艺术", "instrumental": "器乐", "drama": "话剧、小品",
	"calligraphy": "书画、摄影", "fitness": "健身", "ball_games": "球类", "martial_arts": "武术、太极", "other": "其他",
}

// teams serves GET /h5/admin/teams?which=pending|due|all: the amateur teams of the
// caller's district to approve, to rate (or re-rate), or all.
func (c *Console) teams(w http.ResponseWriter, r *http.Request) {
	c.renderTeams(w, r, "", nil)
}

func (c *Console) renderTeams(w http.ResponseWriter, r *http.Request, failed string, ferr error) {
	ctx := r.Context()
	which := r.URL.Query().Get("which")
	if which == "" && r.Method == http.MethodGet {
		which = team.StatusPending
	}
	if r.Method == http.MethodPost {
		which = r.PostForm.Get("which")
	}
	review := which // team.Service.Review's "" is every team
	if review == "all" {
		review = ""
	}
	list, err := c.Teams.Review(ctx, claims(r), review)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := teamsData{Notice: notice(r), Error: formError(ferr), Which: which, Criteria: team.Criteria, Failed: failed,
		Tabs: []Option{{"pending", "待审核"}, {"due", "待评星"}, {"all", "全部"}}}
	names := map[string]string{}
	for _, t := range list {
		d.Teams = append(d.Teams, TeamRow{ID: t.ID, Name: t.Name, Category: teamCategoryNames[t.Category], District: c.districtName(ctx, names, t.DistrictID),
			Status: team.StatusTexts[t.Status], Leader: t.Leader.Name, Phone: t.Leader.Phone, Description: t.Description, Members: t.MemberCount,
			Stars: t.Stars, Pending: t.Status == team.StatusPending, NextReviewAt: t.NextReviewAt})
	}
	status := statusOf(ferr)
	c.render(w, r, "teams", status, h5.View{Title: "业余文体团队", Tab: "more", Back: Base + "/more", Data: d})
}

// teamTarget is the rule's target of the routes naming a team: its district.
func (c *Console) teamTarget(r *http.Request) ([]string, error) {
	return c.Teams.TeamScope(r.Context(), r.PathValue("id"))
}

// approveTeam serves POST /h5/admin/teams/{id}/approve.
func (c *Console) approveTeam(w http.ResponseWriter, r *http.Request) {
	if _, err := c.Teams.Approve(r.Context(), claims(r), r.PathValue("id")); c.failed(w, r, err,
		func(err error) { c.renderTeams(w, r, r.PathValue("id"), err) }) {
		return
	}
	done(w, r, Base+"/teams?which=due", "team")
}

// rateTeam serves POST /h5/admin/teams/{id}/ratings: a score for each published
// criterion, which gives the stars.
func (c *Console) rateTeam(w http.ResponseWriter, r *http.Request) {
	if _, err := c.Teams.Rate(r.Context(), claims(r), r.PathValue("id"), formScores(r.PostForm, team.Criteria)); c.failed(w, r, err,
		func(err error) { c.renderTeams(w, r, r.PathValue("id"), err) }) {
		return
	}
	done(w, r, Base+"/teams?which=all", "rated")
}

// formScores are a form's score for each criterion of a rubric (the teams' ratings, the
// figures' panel): -1 where one is missing or not a number, which the rubric refuses.
func formScores(form url.Values, criteria rubric.Rubric) map[string]int {
	scores := map[string]int{}
	for _, cr := range criteria {
		scores[cr.Key] = formInt(form.Get(cr.Key), -1)
	}
	return scores
}

// figuresData is the figures' desk: this year's and next year's calls, and the figures
// due for review.
type figuresData struct {
	Notice, Error string
	Calls         []CallRow
	Due           []FigureRow
	Form          url.Values
	Statuses      []Option
}

// CallRow is a year's call for applications.
type CallRow struct {
	Year           int
	OpensAt        time.Time
	ClosesAt       time.Time
	Open, Selected bool
	Applications   int
}

// FigureRow is a selected figure.
type FigureRow struct {
	ID, Name, Discipline, Status string
	Year, Rank                   int
	NextReviewAt                 time.Time
}

var disciplineNames = map[string]string{
	"literature": "文学", "fine_arts": "美术", "calligraphy": "书法", "music": "音乐", "dance": "舞蹈", "opera": "戏曲", "drama": "戏剧",
	"folk_arts": "民间文艺", "photography": "摄影", "intangible_heritage": "非物质文化遗产", "sports": "体育", "other": "其他",
}

// figures serves GET /h5/admin/figures (admins): the calls of last, this and next year
// with their applications, the form opening a call, and the figures due for review.
func (c *Console) figures(w http.ResponseWriter, r *http.Request) {
	y := c.Now().In(beijing.Zone).Year()
	c.renderFigures(w, r, url.Values{"year": {strconv.Itoa(y + 1)}, "opensAt": {dtLocal(c.Now())}, "closesAt": {dtLocal(c.Now().AddDate(0, 1, 0))}}, nil)
}

func (c *Console) renderFigures(w http.ResponseWriter, r *http.Request, form url.Values, ferr error) {
	ctx := r.Context()
	now := c.Now()
	d := figuresData{Notice: notice(r), Error: formError(ferr), Form: form}
	for _, st := range figure.Statuses {
		d.Statuses = append(d.Statuses, Option{st, figure.StatusTexts[st]})
	}
	y := now.In(beijing.Zone).Year()
	for year := y - 1; year <= y+1; year++ {
		call, err := c.Figures.Store.Call(ctx, year)
		if err != nil {
			continue // no call that year
		}
		apps, err := c.Figures.Applications(ctx, year)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		d.Calls = append(d.Calls, CallRow{Year: year, OpensAt: call.OpensAt, ClosesAt: call.ClosesAt, Open: call.Open(now), Selected: !call.SelectedAt.IsZero(), Applications: len(apps)})
	}
	due, err := c.Figures.Due(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, f := range due {
		d.Due = append(d.Due, FigureRow{ID: f.ID, Name: f.Name, Discipline: disciplineNames[f.Discipline], Status: figure.StatusTexts[f.Status], Year: f.Year, Rank: f.Rank, NextReviewAt: f.NextReviewAt})
	}
	status := statusOf(ferr)
	c.render(w, r, "figures", status, h5.View{Title: "文化名家", Tab: "more", Back: Base + "/more", Data: d})
}

// openCall serves POST /h5/admin/figure-calls (admins): year, opensAt, closesAt, panel
// (the panel members' openids, one a line).
func (c *Console) openCall(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	panel := formLines(f.Get("panel"))
	call, err := c.Figures.OpenCall(r.Context(), figure.Call{Year: formInt(f.Get("year"), 0), OpensAt: formTime(f.Get("opensAt")), ClosesAt: formTime(f.Get("closesAt")), Panel: panel})
	if c.failed(w, r, err, func(err error) { c.renderFigures(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/figure-calls/"+strconv.Itoa(call.Year), "call")
}

// AppRow is an application of a year's call.
type AppRow struct {
	ID, Name, Discipline, District, Bio string
	Works, Honours                      []string
	SubmittedAt                         time.Time
}

type callData struct {
	Notice, Error string
	Year          int
	Call          figure.PublicCall
	Apps          []AppRow
	Criteria      []figure.Criterion
	Admin         bool
	Scorable      bool
	Ranking       []figure.Ranked
}

// panelOfYear admits the panel of the path's year (figure.Service.PanelMember).
func (c *Console) panelOfYear(r *http.Request, cl auth.Claims) error {
	return c.Figures.PanelMember(r.Context(), cl, formInt(r.PathValue("year"), 0))
}

// panelOfApplication admits the panel of the call an application was made to.
func (c *Console) panelOfApplication(r *http.Request, cl auth.Claims) error {
	return c.Figures.ApplicationPanelMember(r.Context(), cl, r.PathValue("id"))
}

// call serves GET /h5/admin/figure-calls/{year} (the panel, admins): the applications,
// a scoring form for each once the call closed, and for admins the selection.
func (c *Console) call(w http.ResponseWriter, r *http.Request) {
	c.renderCall(w, r, nil)
}

func (c *Console) renderCall(w http.ResponseWriter, r *http.Request, ferr error) {
	ctx := r.Context()
	year := formInt(r.PathValue("year"), 0)
	if r.Method == http.MethodPost && year == 0 {
		if a, err := c.Figures.Store.Application(ctx, r.PathValue("id")); err == nil {
			year = a.Year
		}
	}
	pc, err := c.Figures.Call(ctx, year)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	apps, err := c.Figures.Applications(ctx, year)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.Now()
	d := callData{Notice: notice(r), Error: formError(ferr), Year: year, Call: pc, Criteria: figure.Criteria, Admin: claims(r).Has("admin"),
		Scorable: !now.Before(pc.ClosesAt) && pc.SelectedAt.IsZero(), Ranking: pc.Selected}
	names := map[string]string{}
	slices.SortStableFunc(apps, func(a, b figure.Application) int { return cmp.Compare(a.Name, b.Name) })
	for _, a := range apps {
		d.Apps = append(d.Apps, AppRow{ID: a.ID, Name: a.Name, Discipline: disciplineNames[a.Discipline], District: c.districtName(ctx, names, a.DistrictID),
			Bio: a.Bio, Works: a.Works, Honours: a.Honours, SubmittedAt: a.SubmittedAt})
	}
	status := statusOf(ferr)
	c.render(w, r, "call", status, h5.View{Title: strconv.Itoa(year) + " 年度文化名家评选", Tab: "more", Back: Base + "/more", Data: d})
}

// score serves POST /h5/admin/figure-applications/{id}/score (the panel): a
// score for each published criterion.
func (c *Console) score(w http.ResponseWriter, r *http.Request) {
	a, err := c.Figures.Store.Application(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if _, err := c.Figures.Score(r.Context(), claims(r), a.ID, formScores(r.PostForm, figure.Criteria)); c.failed(w, r, err,
		func(err error) { c.renderCall(w, r, err) }) {
		return
	}
	done(w, r, Base+"/figure-calls/"+strconv.Itoa(a.Year), "score")
}

// selectFigures serves POST /h5/admin/figure-calls/{year}/selection (admins).
func (c *Console) selectFigures(w http.ResponseWriter, r *http.Request) {
	year := formInt(r.PathValue("year"), 0)
	if _, err := c.Figures.Select(r.Context(), claims(r), year); c.failed(w, r, err,
		func(err error) { c.renderCall(w, r, err) }) {
		return
	}
	done(w, r, Base+"/figure-calls/"+strconv.Itoa(year), "selected")
}

// figureStatus serves POST /h5/admin/figures/{id}/status (admins): status, reason.
func (c *Console) figureStatus(w http.ResponseWriter, r *http.Request) {
	if _, err := c.Figures.SetStatus(r.Context(), claims(r), r.PathValue("id"), r.PostForm.Get("status"), strings.TrimSpace(r.PostForm.Get("reason"))); c.failed(w, r, err,
		func(err error) { c.renderFigures(w, r, nil, err) }) {
		return
	}
	done(w, r, Base+"/figures", "figure")
}

// VenueRow is a venue of the caller's district.
type VenueRow struct {
	ID, Name, Kind, District, Address string
}

var venueKindNames = map[string]string{
	directory.VenueLibrary: "图书馆", directory.VenueCultureCentre: "文化馆", directory.VenueMuseum: "博物馆", directory.VenueCinema: "影厅",
	directory.VenueSportsGround: "体育场馆", directory.VenueTownshipStation: "乡镇综合文化站", directory.VenueVillageRoom: "村（社区）综合性文化服务中心",
	directory.VenueReadingRoom: "阅读空间",
}

type venuesData struct {
	Notice, Error string
	Venues        []VenueRow
	Form          url.Values
	Kinds         []Option
	Districts     []Option
	Editing       string // the venue the form edits, or "" for a new one
}

func venueKinds() []Option {
	var out []Option
	for _, k := range directory.Kinds {
		out = append(out, Option{k, venueKindNames[k]})
	}
	return out
}

// venues serves GET /h5/admin/venues: the venues of the caller's district and the form
// of a new one.
func (c *Console) venues(w http.ResponseWriter, r *http.Request) {
	c.renderVenues(w, r, url.Values{"kind": {directory.VenueCultureCentre}}, "", nil)
}

func (c *Console) renderVenues(w http.ResponseWriter, r *http.Request, form url.Values, editing string, ferr error) {
	ctx, cl := r.Context(), claims(r)
	root, err := c.scopeRoot(ctx, cl)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	vs, err := c.Directory.VenuesUnder(ctx, root)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	slices.SortFunc(vs, func(a, b directory.Venue) int { return cmp.Compare(a.DistrictPath+a.Name, b.DistrictPath+b.Name) })
	d := venuesData{Notice: notice(r), Error: formError(ferr), Form: form, Kinds: venueKinds(), Editing: editing}
	names := map[string]string{}
	for _, v := range vs {
		d.Venues = append(d.Venues, VenueRow{ID: v.ID, Name: v.Name, Kind: venueKindNames[v.Kind], District: c.districtName(ctx, names, v.DistrictID), Address: v.Address})
	}
	if d.Districts, err = c.districtOptions(ctx, cl); err != nil {
		c.fail(w, r, err)
		return
	}
	status := statusOf(ferr)
	title := "场馆"
	if editing != "" {
		title = "修改场馆"
	}
	c.render(w, r, "venues", status, h5.View{Title: title, Tab: "more", Back: Base + "/more", Data: d})
}

// venueForm reads a venue's form.
func venueForm(f url.Values) directory.Venue {
	lat, _ := strconv.ParseFloat(strings.TrimSpace(f.Get("lat")), 64)
	lng, _ := strconv.ParseFloat(strings.TrimSpace(f.Get("lng")), 64)
	return directory.Venue{Name: strings.TrimSpace(f.Get("name")), Kind: f.Get("kind"), DistrictID: f.Get("districtId"),
		Address: strings.TrimSpace(f.Get("address")), OpeningHours: strings.TrimSpace(f.Get("openingHours")), Phone: strings.TrimSpace(f.Get("phone")),
		Accessibility: strings.TrimSpace(f.Get("accessibility")), Location: directory.Location{Lat: lat, Lng: lng}}
}

// newVenueTarget is the rule's target of a new venue: its district.
func (c *Console) newVenueTarget(r *http.Request) ([]string, error) {
	return directory.NewVenueScope(r.Context(), c.Directory, r.PostForm.Get("districtId"))
}

// createVenue serves POST /h5/admin/venues.
func (c *Console) createVenue(w http.ResponseWriter, r *http.Request) {
	if _, err := directory.CreateVenue(r.Context(), c.Directory, venueForm(r.PostForm)); c.failed(w, r, err,
		func(err error) { c.renderVenues(w, r, r.PostForm, "", err) }) {
		return
	}
	done(w, r, Base+"/venues", "venue")
}

// venueTarget is the rule's target of a venue's page and its change: where it is, and
// where the change puts it.
func (c *Console) venueTarget(r *http.Request) ([]string, error) {
	districtID := r.PostForm.Get("districtId")
	if r.Method == http.MethodGet {
		v, err := c.Directory.Venue(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		districtID = v.DistrictID
	}
	return directory.VenueScope(r.Context(), c.Directory, r.PathValue("id"), districtID)
}

// venue serves GET /h5/admin/venues/{id}: the form to change a venue.
func (c *Console) venue(w http.ResponseWriter, r *http.Request) {
	v, err := c.Directory.Venue(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.renderVenues(w, r, url.Values{"name": {v.Name}, "kind": {v.Kind}, "districtId": {v.DistrictID}, "address": {v.Address},
		"openingHours": {v.OpeningHours}, "phone": {v.Phone}, "accessibility": {v.Accessibility},
		"lat": {strconv.FormatFloat(v.Location.Lat, 'f', -1, 64)}, "lng": {strconv.FormatFloat(v.Location.Lng, 'f', -1, 64)}}, v.ID, nil)
}

// updateVenue serves POST /h5/admin/venues/{id}.
func (c *Console) updateVenue(w http.ResponseWriter, r *http.Request) {
	v := venueForm(r.PostForm)
	v.ID = r.PathValue("id")
	if old, err := c.Directory.Venue(r.Context(), v.ID); err == nil {
		v.Facilities = old.Facilities // the form does not edit them
	}
	if err := c.Directory.UpdateVenue(r.Context(), v); c.failed(w, r, err,
		func(err error) { c.renderVenues(w, r, r.PostForm, v.ID, err) }) {
		return
	}
	done(w, r, Base+"/venues", "venue")
}

// DistrictRow is a district of the tree.
type DistrictRow struct {
	ID, Name, Level string
	Depth           int
	Population      int
}

type districtsData struct {
	Notice, Error string
	Districts     []DistrictRow
	Parents       []Option
	Form          url.Values
}

var levelNames = map[directory.Level]string{directory.LevelCity: "市", directory.LevelCounty: "县（市、区）", directory.LevelTownship: "乡镇（街道）", directory.LevelVillage: "村（社区）"}

// districts serves GET /h5/admin/districts (admins): the district tree and the forms to
// add and rename districts.
func (c *Console) districts(w http.ResponseWriter, r *http.Request) {
	c.renderDistricts(w, r, nil, nil)
}

func (c *Console) renderDistricts(w http.ResponseWriter, r *http.Request, form url.Values, ferr error) {
	all, err := c.Directory.Districts(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	slices.SortFunc(all, func(a, b directory.District) int { return cmp.Compare(a.Path, b.Path) })
	d := districtsData{Notice: notice(r), Error: formError(ferr), Form: form}
	for _, dist := range all {
		d.Districts = append(d.Districts, DistrictRow{ID: dist.ID, Name: dist.Name, Level: levelNames[dist.Level], Depth: strings.Count(dist.Path, "/"), Population: dist.Population})
		if dist.Level != directory.LevelVillage {
			d.Parents = append(d.Parents, Option{dist.ID, strings.Repeat("　", strings.Count(dist.Path, "/")) + dist.Name})
		}
	}
	status := statusOf(ferr)
	c.render(w, r, "districts", status, h5.View{Title: "行政区划", Tab: "more", Back: Base + "/more", Data: d})
}

// createDistrict serves POST /h5/admin/districts (admins): id, parentId, name; the level
// is the one below the parent's.
func (c *Console) createDistrict(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	ctx := r.Context()
	level := directory.LevelCity
	if pid := f.Get("parentId"); pid != "" {
		parent, err := c.Directory.District(ctx, pid)
		if err != nil {
			c.renderDistricts(w, r, f, err)
			return
		}
		level = childLevel[parent.Level]
	}
	if _, err := directory.CreateDistrict(ctx, c.Directory, strings.TrimSpace(f.Get("id")), f.Get("parentId"), f.Get("name"), level); c.failed(w, r, err,
		func(err error) { c.renderDistricts(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/districts", "district")
}

var childLevel = map[directory.Level]directory.Level{directory.LevelCity: directory.LevelCounty, directory.LevelCounty: directory.LevelTownship, directory.LevelTownship: directory.LevelVillage}

// renameDistrict serves POST /h5/admin/districts/{id} (admins): name.
func (c *Console) renameDistrict(w http.ResponseWriter, r *http.Request) {
	if _, err := directory.RenameDistrict(r.Context(), c.Directory, r.PathValue("id"), r.PostForm.Get("name")); c.failed(w, r, err,
		func(err error) { c.renderDistricts(w, r, nil, err) }) {
		return
	}
	done(w, r, Base+"/districts", "district")
}
