package evaluator

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
)

// A satisfaction survey asks a random sample of the residents who recently attended
// activities in some districts (each district a stratum, sampled apart) a few
// questions answered on a five-point scale. The sample is drawn from the attendance
// the platform recorded, invited through the outbox (so the notifier's rules hold: no
// message to those who unfollowed the account, WeChat's quotas respected, each
// invitation sent once), and answered once per person on the residents' survey page.
// The results give each question's mean and the share satisfied (4 or 5) per district
// and overall, each with its margin of error (MarginMethod), beside the response rate.

// Limits of a survey.
const (
	MaxQuestions   = 10
	MaxPerDistrict = 1000
	// RestDays: a person invited to a survey is not invited to another for this long.
	RestDays = 90
)

// SurveyKind is the outbox kind of an invitation.
const SurveyKind = "survey_invitation"

// Survey is a satisfaction survey of the recent attendees of some districts.
type Survey struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Questions   []string  `json:"questions"`
	Districts   []string  `json:"districts"` // the strata: district ids, in order
	Paths       []string  `json:"-"`
	Days        int       `json:"days"` // attendees of the days before the survey's creation
	PerDistrict int       `json:"perDistrict"`
	FrameFrom   time.Time `json:"frameFrom"` // the attendance sampled: [FrameFrom, FrameTo)
	FrameTo     time.Time `json:"frameTo"`
	ClosesAt    time.Time `json:"closesAt"`
	CreatedBy   string    `json:"-"`
	CreatedAt   time.Time `json:"createdAt"`
	// Seed keys the sample's draw: sending again (after a failure) draws the same people.
	Seed string `json:"-"`
	// Strata are the frames and samples once the invitations are queued.
	Strata []Stratum `json:"strata,omitempty"`
	SentAt time.Time `json:"sentAt,omitzero"`
}

// Stratum is a district's part of a sent survey: how many attended (the frame, N) and
// how many were invited (the sample, n).
type Stratum struct {
	DistrictID string `json:"districtId"`
	Name       string `json:"name"`
	Frame      int    `json:"frame"`
	Sampled    int    `json:"sampled"`
}

// Invitation is one person in a survey's sample.
type Invitation struct {
	SurveyID   string    `json:"surveyId"`
	OpenID     string    `json:"-"`
	DistrictID string    `json:"districtId"`
	At         time.Time `json:"at"`
}

// Response is one person's answers, one score 1–5 per question. It keeps the stratum,
// never who answered (the store keys it by person only to take it once).
type Response struct {
	SurveyID   string    `json:"surveyId"`
	OpenID     string    `json:"-"`
	DistrictID string    `json:"districtId"`
	Answers    []int     `json:"answers"`
	At         time.Time `json:"at"`
}

// Errors of surveys.
var (
	ErrSurveyInvalid   = fault.New(fault.Invalid, "survey_invalid", "调查无效：请填写标题（不超过 40 字）、1 至 10 个问题（每个不超过 60 字）、1 至 20 个行政区划、每个区划抽样 1 至 1000 人、近 7 至 180 天的到场居民，截止时间在 1 至 60 天后")
	ErrSurveyNotFound  = fault.New(fault.NotFound, "survey_not_found", "找不到该调查")
	ErrSurveySent      = fault.New(fault.Conflict, "survey_sent", "该调查已发出")
	ErrSurveyClosed    = fault.New(fault.Conflict, "survey_closed", "该调查已经结束，感谢您的关注")
	ErrNotInvited      = fault.New(fault.Forbidden, "survey_not_invited", "本次调查只请随机抽中的居民填写，感谢您的关注")
	ErrAnswered        = fault.New(fault.Conflict, "survey_answered", "您已经填写过这份调查，感谢参与")
	ErrResponseInvalid = fault.New(fault.Invalid, "survey_response_invalid", "请为每个问题选择 1 到 5 分")
)

// Validate reports ErrSurveyInvalid unless the survey has a title, 1 to MaxQuestions
// questions, 1 to 20 distinct districts, a sample of 1 to MaxPerDistrict per district,
// a frame of 7 to 180 days and a close 1 to 60 days after its creation.
func (s Survey) Validate() error {
	title := strings.TrimSpace(s.Title)
	if title == "" || utf8.RuneCountInString(title) > 40 || len(s.Questions) == 0 || len(s.Questions) > MaxQuestions ||
		len(s.Districts) == 0 || len(s.Districts) > 20 || slices.Contains(s.Districts, "") ||
		len(slices.Compact(slices.Sorted(slices.Values(s.Districts)))) != len(s.Districts) ||
		s.PerDistrict < 1 || s.PerDistrict > MaxPerDistrict || s.Days < 7 || s.Days > 180 ||
		s.ClosesAt.Sub(s.CreatedAt) < 24*time.Hour || s.ClosesAt.Sub(s.CreatedAt) > 60*24*time.Hour {
		return ErrSurveyInvalid
	}
	for _, q := range s.Questions {
		if q = strings.TrimSpace(q); q == "" || utf8.RuneCountInString(q) > 60 {
			return ErrSurveyInvalid
		}
	}
	return nil
}

// Open reports whether the survey takes answers at now: sent and not closed.
func (s Survey) Open(now time.Time) bool { return !s.SentAt.IsZero() && now.Before(s.ClosesAt) }

// SurveyStore keeps surveys, their samples and their answers.
type SurveyStore interface {
	// PutSurvey writes a new survey.
	PutSurvey(ctx context.Context, s Survey) error
	// Survey returns a survey, or ErrSurveyNotFound.
	Survey(ctx context.Context, id string) (Survey, error)
	// Surveys returns every survey, the newest first.
	Surveys(ctx context.Context) ([]Survey, error)
	// Invited returns the surveys openid was invited to since since.
	Invited(ctx context.Context, openid string, since time.Time) ([]string, error)
	// Invite writes an invitation and queues its message, in one transaction; inviting
	// someone again is nothing (ok false).
	Invite(ctx context.Context, inv Invitation, m notify.Message) (ok bool, err error)
	// MarkSent records the survey's strata and when its invitations were all queued.
	MarkSent(ctx context.Context, id string, strata []Stratum, at time.Time) error
	// Invitation returns openid's invitation to a survey; found is false when none.
	Invitation(ctx context.Context, surveyID, openid string) (inv Invitation, found bool, err error)
	// Respond writes a response once per person; ErrAnswered the second time.
	Respond(ctx context.Context, r Response) error
	// Answered reports whether openid answered a survey.
	Answered(ctx context.Context, surveyID, openid string) (bool, error)
	// Responses returns a survey's responses.
	Responses(ctx context.Context, surveyID string) ([]Response, error)
}

// Surveys runs satisfaction surveys.
type Surveys struct {
	Store SurveyStore
	Data  Data
	Now   func() time.Time
	// H5Base is the residents' pages' base URL: an invitation opens H5Base/surveys/{id}.
	H5Base string
	NewID  func() string
}

// Create records a survey an admin defined: its frame is the attendance of the Days
// days before today (Beijing), its seed drawn now. It returns ErrSurveyInvalid or a
// not-found error for a district.
func (s *Surveys) Create(ctx context.Context, c auth.Claims, sv Survey) (Survey, error) {
	now := s.Now()
	sv.Title = strings.TrimSpace(sv.Title)
	for i, q := range sv.Questions {
		sv.Questions[i] = strings.TrimSpace(q)
	}
	sv.CreatedAt, sv.CreatedBy = now, c.OpenID
	if err := sv.Validate(); err != nil {
		return Survey{}, err
	}
	x, err := s.Data.Index(ctx)
	if err != nil {
		return Survey{}, err
	}
	sv.Paths = nil
	for _, id := range sv.Districts {
		d, ok := x.Districts[id]
		if !ok {
			return Survey{}, directory.ErrDistrictUnknown
		}
		sv.Paths = append(sv.Paths, d.Path)
	}
	today := now.In(beijing.Zone)
	sv.FrameTo = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, beijing.Zone)
	sv.FrameFrom = sv.FrameTo.AddDate(0, 0, -sv.Days)
	seed := make([]byte, 32)
	if _, err := crand.Read(seed); err != nil {
		return Survey{}, fmt.Errorf("survey seed: %w", err)
	}
	sv.ID, sv.Seed, sv.Strata, sv.SentAt = s.NewID(), hex.EncodeToString(seed), nil, time.Time{}
	if err := s.Store.PutSurvey(ctx, sv); err != nil {
		return Survey{}, fmt.Errorf("create survey: %w", err)
	}
	return sv, nil
}

// Frames returns, for each of the survey's districts in order, the residents admitted
// at a session held in its subtree within the survey's frame, sorted; someone who
// attended in two of the districts counts in the first only.
func (s *Surveys) Frames(ctx context.Context, sv Survey) ([][]string, []directory.District, error) {
	x, err := s.Data.Index(ctx)
	if err != nil {
		return nil, nil, err
	}
	roots := make([]directory.District, len(sv.Districts))
	for i, id := range sv.Districts {
		d, ok := x.Districts[id]
		if !ok {
			return nil, nil, directory.ErrDistrictUnknown
		}
		roots[i] = d
	}
	city, _ := x.Root()
	held, err := heldIn(ctx, s.Data, x, city, sv.FrameFrom, sv.FrameTo)
	if err != nil {
		return nil, nil, err
	}
	sets := make([]map[string]bool, len(roots))
	for i := range sets {
		sets[i] = map[string]bool{}
	}
	taken := map[string]bool{}
	for i, root := range roots {
		for _, ss := range held {
			if !ss.district.Within(root) {
				continue
			}
			bs, err := s.Data.Bookings(ctx, ss.slot.ID)
			if err != nil {
				return nil, nil, err
			}
			for _, b := range bs {
				if !b.CheckedInAt.IsZero() && b.OpenID != "" && !taken[b.OpenID] {
					sets[i][b.OpenID] = true
				}
			}
		}
		for id := range sets[i] {
			taken[id] = true
		}
	}
	frames := make([][]string, len(roots))
	for i, set := range sets {
		frames[i] = slices.Sorted(func(yield func(string) bool) {
			for id := range set {
				if !yield(id) {
					return
				}
			}
		})
	}
	return frames, roots, nil
}

// Order is the survey's random order of a district's frame: a shuffle of the sorted
// frame by ChaCha8 keyed by the survey's seed and the district, so the same survey
// draws the same people.
func (sv Survey) Order(districtID string, frame []string) []string {
	key, _ := hex.DecodeString(sv.Seed)
	var seed [32]byte
	copy(seed[:], key)
	for i := range len(districtID) {
		seed[i%32] ^= districtID[i]
	}
	out := slices.Clone(frame)
	rand.New(rand.NewChaCha8(seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// Send draws each district's sample and queues the invitations: in each frame's random
// order, the first PerDistrict who were not invited to another survey in the last
// RestDays days. Sending again (after a failure part-way) draws the same people and
// queues only those not yet invited. It returns ErrSurveyNotFound, ErrSurveySent once
// every invitation was queued, or ErrSurveyClosed.
func (s *Surveys) Send(ctx context.Context, id string) (Survey, error) {
	sv, err := s.Store.Survey(ctx, id)
	if err != nil {
		return Survey{}, err
	}
	if !sv.SentAt.IsZero() {
		return Survey{}, ErrSurveySent
	}
	now := s.Now()
	if !now.Before(sv.ClosesAt) {
		return Survey{}, ErrSurveyClosed
	}
	frames, roots, err := s.Frames(ctx, sv)
	if err != nil {
		return Survey{}, err
	}
	strata := make([]Stratum, len(roots))
	for i, root := range roots {
		strata[i] = Stratum{DistrictID: root.ID, Name: root.Name, Frame: len(frames[i])}
		for _, openid := range sv.Order(root.ID, frames[i]) {
			if strata[i].Sampled == sv.PerDistrict {
				break
			}
			others, err := s.Store.Invited(ctx, openid, now.AddDate(0, 0, -RestDays))
			if err != nil {
				return Survey{}, err
			}
			if slices.ContainsFunc(others, func(o string) bool { return o != sv.ID }) {
				continue
			}
			inv := Invitation{SurveyID: sv.ID, OpenID: openid, DistrictID: root.ID, At: now}
			if _, err := s.Store.Invite(ctx, inv, s.invitation(sv, root, openid, now)); err != nil {
				return Survey{}, fmt.Errorf("invite: %w", err)
			}
			strata[i].Sampled++
		}
	}
	if err := s.Store.MarkSent(ctx, sv.ID, strata, now); err != nil {
		return Survey{}, err
	}
	sv.Strata, sv.SentAt = strata, now
	return sv, nil
}

// invitation is the message inviting openid.
func (s *Surveys) invitation(sv Survey, d directory.District, openid string, now time.Time) notify.Message {
	return notify.Message{
		ID: "survey." + sv.ID + "." + openid, Kind: SurveyKind, To: openid,
		URL: strings.TrimSuffix(s.H5Base, "/") + "/surveys/" + sv.ID,
		Data: map[string]string{"title": sv.Title, "district": d.Name, "count": strconv.Itoa(len(sv.Questions)),
			"closes": beijing.Minute(sv.ClosesAt)},
		Status: notify.StatusPending, DueAt: now, CreatedAt: now,
	}
}

// Form is what the survey page shows a person: the survey, and whether they may answer.
type Form struct {
	Survey   Survey
	Invited  bool
	Answered bool
	Open     bool
}

// Form returns the survey as openid sees it.
func (s *Surveys) Form(ctx context.Context, id, openid string) (Form, error) {
	sv, err := s.Store.Survey(ctx, id)
	if err != nil {
		return Form{}, err
	}
	f := Form{Survey: sv, Open: sv.Open(s.Now())}
	if _, f.Invited, err = s.Store.Invitation(ctx, id, openid); err != nil || !f.Invited {
		return f, err
	}
	f.Answered, err = s.Store.Answered(ctx, id, openid)
	return f, err
}

// Respond records openid's answers, once. It returns ErrSurveyNotFound,
// ErrSurveyClosed, ErrNotInvited, ErrResponseInvalid or ErrAnswered.
func (s *Surveys) Respond(ctx context.Context, id, openid string, answers []int) (Response, error) {
	sv, err := s.Store.Survey(ctx, id)
	if err != nil {
		return Response{}, err
	}
	now := s.Now()
	if !sv.Open(now) {
		return Response{}, ErrSurveyClosed
	}
	inv, ok, err := s.Store.Invitation(ctx, id, openid)
	if err != nil {
		return Response{}, err
	}
	if !ok {
		return Response{}, ErrNotInvited
	}
	if len(answers) != len(sv.Questions) || slices.ContainsFunc(answers, func(a int) bool { return a < 1 || a > 5 }) {
		return Response{}, ErrResponseInvalid
	}
	r := Response{SurveyID: id, OpenID: openid, DistrictID: inv.DistrictID, Answers: answers, At: now}
	if err := s.Store.Respond(ctx, r); err != nil {
		if errors.Is(err, ErrAnswered) {
			return Response{}, ErrAnswered
		}
		return Response{}, fmt.Errorf("respond: %w", err)
	}
	return r, nil
}

// Results is a survey's results: per district and overall, the response rate and each
// question's mean score and share satisfied, with margins (Method says how).
type Results struct {
	Survey  Survey        `json:"survey"`
	Method  string        `json:"method"`
	Strata  []StratumFigs `json:"strata"`
	Overall *StratumFigs  `json:"overall"` // nil until every district with attendees has answers
}

// StratumFigs are the figures of one district (or of all).
type StratumFigs struct {
	DistrictID   string     `json:"districtId,omitempty"`
	Name         string     `json:"name"`
	Frame        int        `json:"frame"`
	Sampled      int        `json:"sampled"`
	Responses    int        `json:"responses"`
	ResponseRate float64    `json:"responseRate"` // % of the sample who answered
	Questions    []Question `json:"questions"`
	Satisfied    Estimate   `json:"satisfied"` // % of all answers that were 4 or 5, averaged over the questions
}

// Question is one question's figures: the mean score (1–5) and the share satisfied.
type Question struct {
	Text      string   `json:"text"`
	Mean      Estimate `json:"mean"`
	Satisfied Estimate `json:"satisfied"` // % answering 4 or 5
}

// Results computes a sent survey's results from its responses. It returns
// ErrSurveyNotFound.
func (s *Surveys) Results(ctx context.Context, id string) (Results, error) {
	sv, err := s.Store.Survey(ctx, id)
	if err != nil {
		return Results{}, err
	}
	rs, err := s.Store.Responses(ctx, id)
	if err != nil {
		return Results{}, err
	}
	return Tabulate(sv, rs), nil
}

// Tabulate is the results of a survey's responses.
func Tabulate(sv Survey, rs []Response) Results {
	out := Results{Survey: sv, Method: MarginMethod, Strata: []StratumFigs{}}
	byDistrict := map[string][]Response{}
	for _, r := range rs {
		byDistrict[r.DistrictID] = append(byDistrict[r.DistrictID], r)
	}
	nq := len(sv.Questions)
	means := make([][]stratum, nq) // per question, per stratum
	shares := make([][]stratum, nq)
	var overallSat []stratum
	for _, st := range sv.Strata {
		f := StratumFigs{DistrictID: st.DistrictID, Name: st.Name, Frame: st.Frame, Sampled: st.Sampled, Responses: len(byDistrict[st.DistrictID])}
		if st.Sampled > 0 {
			f.ResponseRate = round1(100 * float64(f.Responses) / float64(st.Sampled))
		}
		// A respondent's satisfaction is the share of their answers that were 4 or 5:
		// the mean of those per-person shares is the district's share satisfied.
		var personal []float64
		for _, r := range byDistrict[st.DistrictID] {
			k := 0
			for _, a := range r.Answers {
				if a >= 4 {
					k++
				}
			}
			personal = append(personal, float64(k)/float64(max(nq, 1)))
		}
		sat := meanOf(personal, st.Frame)
		overallSat = append(overallSat, sat)
		f.Satisfied = sat.estimate(100)
		for q := range nq {
			var vals []float64
			k := 0
			for _, r := range byDistrict[st.DistrictID] {
				vals = append(vals, float64(r.Answers[q]))
				if r.Answers[q] >= 4 {
					k++
				}
			}
			m, p := meanOf(vals, st.Frame), proportionOf(k, len(vals), st.Frame)
			means[q], shares[q] = append(means[q], m), append(shares[q], p)
			f.Questions = append(f.Questions, Question{Text: sv.Questions[q], Mean: m.estimate(1), Satisfied: p.estimate(100)})
		}
		out.Strata = append(out.Strata, f)
	}
	all := combined(overallSat)
	if all == nil || len(sv.Strata) == 0 {
		return out
	}
	o := &StratumFigs{Name: "合计", Satisfied: all.estimate(100)}
	for _, st := range sv.Strata {
		o.Frame += st.Frame
		o.Sampled += st.Sampled
	}
	o.Responses = len(rs)
	if o.Sampled > 0 {
		o.ResponseRate = round1(100 * float64(o.Responses) / float64(o.Sampled))
	}
	for q := range nq {
		m, p := combined(means[q]), combined(shares[q])
		o.Questions = append(o.Questions, Question{Text: sv.Questions[q], Mean: m.estimate(1), Satisfied: p.estimate(100)})
	}
	out.Overall = o
	return out
}
