package assessment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/input"
)

// Self-report statuses.
const (
	StatusSubmitted = "submitted" // 待审核
	StatusAccepted  = "accepted"  // 已通过
	StatusRejected  = "rejected"  // 未通过
)

// StatusTexts is how each self-report status reads.
var StatusTexts = map[string]string{StatusSubmitted: "待审核", StatusAccepted: "已通过", StatusRejected: "未通过"}

// Evidence files: a scan or photo of a document, small enough to keep beside the report.
const (
	MaxEvidenceBytes = 256 << 10
	MaxEvidence      = 5
)

// EvidenceTypes are the file types accepted as evidence, as their content reveals them.
var EvidenceTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// Evidence is one file backing a self-report; its content is stored apart.
type Evidence struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Size       int       `json:"size"`
	SHA256     string    `json:"sha256"`
	UploadedBy string    `json:"-"`
	UploadedAt time.Time `json:"uploadedAt"`
}

// SelfReport is a unit's value of a self-reported indicator, its evidence, and the
// reviewer's decision: only an accepted report's Accepted value counts.
type SelfReport struct {
	Year        int        `json:"year"`
	Level       Level      `json:"level"`
	Unit        string     `json:"unit"`
	Indicator   string     `json:"indicator"`
	Value       float64    `json:"value"`
	Note        string     `json:"note,omitempty"`
	Evidence    []Evidence `json:"evidence"`
	Status      string     `json:"status"`
	SubmittedBy string     `json:"-"`
	SubmittedAt time.Time  `json:"submittedAt"`
	Accepted    *float64   `json:"acceptedValue,omitempty"`
	Comment     string     `json:"reviewComment,omitempty"`
	ReviewedBy  string     `json:"-"`
	ReviewedAt  time.Time  `json:"reviewedAt,omitzero"`
	// Version is raised by every change; a write is conditioned on it.
	Version int `json:"-"`
}

// Result is a level's published assessment: the scheme, and every unit's values,
// points, total, rank and whether it was selected. Score(Scheme, Units) gives Units
// again: anyone can check the ranking from the published figures.
type Result struct {
	Scheme      Scheme    `json:"scheme"`
	PublishedAt time.Time `json:"publishedAt"`
	Units       []Unit    `json:"units"`
}

// Store keeps schemes, self-reports, evidence and published results.
type Store interface {
	// PutScheme writes a year's scheme for its level; ErrPublished once its results are.
	PutScheme(ctx context.Context, s Scheme) error
	// Scheme returns a year's scheme of a level, or ErrSchemeNotFound.
	Scheme(ctx context.Context, year int, level Level) (Scheme, error)
	// PutReport writes a self-report conditioned on the version it was read at (0: new);
	// fault.ErrConflict when it changed meanwhile, ErrPublished once the results are.
	PutReport(ctx context.Context, r SelfReport, was int) error
	// Report returns a unit's self-report of an indicator; found is false when none.
	Report(ctx context.Context, year int, level Level, unit, indicator string) (r SelfReport, found bool, err error)
	// Reports returns the self-reports of a level's year (of one unit when unit is not "").
	Reports(ctx context.Context, year int, level Level, unit string) ([]SelfReport, error)
	// AddEvidence writes an evidence file's content and the report that now lists it,
	// conditioned on the report's version as PutReport.
	AddEvidence(ctx context.Context, r SelfReport, was int, e Evidence, content []byte) error
	// Evidence returns an evidence file of a report, or ErrEvidenceNotFound.
	Evidence(ctx context.Context, year int, level Level, unit, id string) (Evidence, []byte, error)
	// Publish writes the result once; ErrPublished when it already is.
	Publish(ctx context.Context, r Result) error
	// Result returns a published result, or ErrNotPublished.
	Result(ctx context.Context, year int, level Level) (Result, error)
	// Appoint makes openid a reviewer of the year's assessments.
	Appoint(ctx context.Context, year int, openid string) error
	// Reviewer reports whether openid reviews the year's assessments.
	Reviewer(ctx context.Context, year int, openid string) (bool, error)
}

// Service runs the yearly assessments.
type Service struct {
	Store   Store
	Figures interface {
		Measure(ctx context.Context, level Level, year int, id string) ([]Measured, error)
	}
	Places interface {
		District(ctx context.Context, id string) (directory.District, error)
	}
	Now   func() time.Time
	NewID func() string
}

// Appoint makes openid a reviewer of the year's assessments (admins). It returns
// ErrYearInvalid or ErrReviewerInvalid.
func (s *Service) Appoint(ctx context.Context, year int, openid string) error {
	if year < 2000 || year > 2100 {
		return ErrYearInvalid
	}
	if openid = strings.TrimSpace(openid); openid == "" || len(openid) > 64 {
		return ErrReviewerInvalid
	}
	return s.Store.Appoint(ctx, year, openid)
}

// Reviewer returns nil when openid reviews the year's assessments, else
// ErrNotReviewer: the rule of the reviewers' routes.
func (s *Service) Reviewer(ctx context.Context, year int, openid string) error {
	ok, err := s.Store.Reviewer(ctx, year, openid)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotReviewer
	}
	return nil
}

// DefineScheme sets a year's indicator set for a level (admins): until its results are
// published it may be changed. It returns ErrSchemeInvalid or ErrPublished.
func (s *Service) DefineScheme(ctx context.Context, sc Scheme) (Scheme, error) {
	for i := range sc.Indicators {
		sc.Indicators[i].Name = strings.TrimSpace(sc.Indicators[i].Name)
		sc.Indicators[i].Guide = strings.TrimSpace(sc.Indicators[i].Guide)
	}
	if err := sc.Validate(); err != nil {
		return Scheme{}, err
	}
	if _, err := s.Store.Result(ctx, sc.Year, sc.Level); err == nil {
		return Scheme{}, ErrPublished
	}
	if err := s.Store.PutScheme(ctx, sc); err != nil {
		return Scheme{}, fmt.Errorf("define scheme: %w", err)
	}
	return sc, nil
}

// Sheet is a level's live figures for a year: the scheme, and units scored as they
// stand now (self-reports counting once accepted), with each unit's self-reports.
type Sheet struct {
	Scheme  Scheme       `json:"scheme"`
	AsOf    time.Time    `json:"asOf"`
	Units   []Unit       `json:"units"`
	Reports []SelfReport `json:"reports"`
}

// Sheet computes a level's figures for a year as they stand now: every unit's, or one
// unit's when unit is not "" (what an institution or district sees of itself during
// the year). It returns ErrSchemeNotFound or ErrUnitNotFound.
func (s *Service) Sheet(ctx context.Context, year int, level Level, unit string) (Sheet, error) {
	sc, err := s.Store.Scheme(ctx, year, level)
	if err != nil {
		return Sheet{}, err
	}
	units, reports, err := s.units(ctx, sc, unit)
	if err != nil {
		return Sheet{}, err
	}
	return Sheet{Scheme: sc, AsOf: s.Now(), Units: Score(sc, units), Reports: reports}, nil
}

// units returns the units of a scheme with a line per indicator: computed measures from
// the figures, self-reported ones from accepted reports.
func (s *Service) units(ctx context.Context, sc Scheme, unit string) ([]Unit, []SelfReport, error) {
	measured, err := s.Figures.Measure(ctx, sc.Level, sc.Year, unit)
	if err != nil {
		return nil, nil, err
	}
	reports, err := s.Store.Reports(ctx, sc.Year, sc.Level, unit)
	if err != nil {
		return nil, nil, fmt.Errorf("self-reports: %w", err)
	}
	accepted := map[[2]string]SelfReport{}
	for _, r := range reports {
		accepted[[2]string{r.Unit, r.Indicator}] = r
	}
	units := make([]Unit, len(measured))
	for i, m := range measured {
		u := m.Unit
		for _, in := range sc.Indicators {
			l := Line{Indicator: in.ID}
			if in.Measure == MeasureSelf {
				r, ok := accepted[[2]string{u.ID, in.ID}]
				switch {
				case !ok:
					l.Note = "未提交自评"
				case r.Status == StatusAccepted:
					l.Value, l.Note = r.Accepted, "自评经审核"
				default:
					l.Note = "自评" + StatusTexts[r.Status]
				}
			} else {
				l.Value, l.Note = m.Values[in.Measure], m.Notes[in.Measure]
			}
			u.Lines = append(u.Lines, l)
		}
		units[i] = u
	}
	return units, reports, nil
}

// selfIndicator returns the scheme's self-reported indicator, while results are not
// published.
func (s *Service) selfIndicator(ctx context.Context, year int, level Level, id string) (Scheme, Indicator, error) {
	sc, err := s.Store.Scheme(ctx, year, level)
	if err != nil {
		return Scheme{}, Indicator{}, err
	}
	in, err := sc.Indicator(id)
	if err != nil {
		return Scheme{}, Indicator{}, err
	}
	if in.Measure != MeasureSelf {
		return Scheme{}, Indicator{}, ErrNotSelfReported
	}
	if _, err := s.Store.Result(ctx, year, level); err == nil {
		return Scheme{}, Indicator{}, ErrPublished
	}
	return sc, in, nil
}

// unit checks that the unit exists at the scheme's level.
func (s *Service) unit(ctx context.Context, sc Scheme, unit string) error {
	_, err := s.Figures.Measure(ctx, sc.Level, sc.Year, unit)
	return err
}

// selfReport returns a unit's self-report of a self-reported indicator, or a new empty
// one (found false) when the unit has none yet. It returns ErrIndicatorUnknown,
// ErrNotSelfReported, ErrPublished or ErrUnitNotFound.
func (s *Service) selfReport(ctx context.Context, year int, level Level, unit, indicator string) (r SelfReport, found bool, err error) {
	sc, _, err := s.selfIndicator(ctx, year, level, indicator)
	if err != nil {
		return SelfReport{}, false, err
	}
	r, found, err = s.Store.Report(ctx, year, level, unit, indicator)
	if err != nil || found {
		return r, found, err
	}
	if err := s.unit(ctx, sc, unit); err != nil {
		return SelfReport{}, false, err
	}
	return SelfReport{Year: year, Level: level, Unit: unit, Indicator: indicator}, false, nil
}

// Report records a unit's value of a self-reported indicator (its staff; the caller's
// right to act for the unit is the route's rule). A new value goes back to the reviewer.
// It returns ErrReportInvalid, ErrIndicatorUnknown, ErrNotSelfReported, ErrPublished or
// ErrUnitNotFound.
func (s *Service) Report(ctx context.Context, c auth.Claims, year int, level Level, unit, indicator string, value float64, note string) (SelfReport, error) {
	note = strings.TrimSpace(note)
	if value < 0 || math.IsNaN(value) || math.IsInf(value, 0) || utf8.RuneCountInString(note) > 500 {
		return SelfReport{}, ErrReportInvalid
	}
	r, _, err := s.selfReport(ctx, year, level, unit, indicator)
	if err != nil {
		return SelfReport{}, err
	}
	was := r.Version
	r.Value, r.Note, r.Status, r.SubmittedBy, r.SubmittedAt = value, note, StatusSubmitted, c.OpenID, s.Now()
	r.Accepted, r.Comment, r.ReviewedBy, r.ReviewedAt, r.Version = nil, "", "", time.Time{}, was+1
	if err := s.Store.PutReport(ctx, r, was); err != nil {
		return SelfReport{}, err
	}
	return r, nil
}

// AddEvidence attaches a file to a unit's self-report (which it creates, empty, when
// there is none yet); the report goes back to the reviewer. The file must be a PDF, JPEG
// or PNG by its content, of at most MaxEvidenceBytes, and a report holds at most
// MaxEvidence. It returns ErrEvidenceInvalid or the errors of Report.
func (s *Service) AddEvidence(ctx context.Context, c auth.Claims, year int, level Level, unit, indicator, name string, content []byte) (Evidence, error) {
	name = strings.TrimSpace(name)
	if err := input.Line("name", name, 100); err != nil { // the file's name is shown to reviewers
		return Evidence{}, err
	}
	kind := http.DetectContentType(content)
	if len(content) == 0 || len(content) > MaxEvidenceBytes || !slices.Contains(EvidenceTypes, kind) ||
		name == "" || strings.ContainsAny(name, "/\\\"") {
		return Evidence{}, ErrEvidenceInvalid
	}
	r, found, err := s.selfReport(ctx, year, level, unit, indicator)
	if err != nil {
		return Evidence{}, err
	}
	if !found {
		r.Status, r.SubmittedBy, r.SubmittedAt = StatusSubmitted, c.OpenID, s.Now()
	}
	if len(r.Evidence) >= MaxEvidence {
		return Evidence{}, ErrEvidenceInvalid
	}
	sum := sha256.Sum256(content)
	e := Evidence{ID: s.NewID(), Name: name, Type: kind, Size: len(content), SHA256: hex.EncodeToString(sum[:]), UploadedBy: c.OpenID, UploadedAt: s.Now()}
	was := r.Version
	r.Evidence = append(slices.Clone(r.Evidence), e)
	r.Status, r.Accepted, r.Comment, r.ReviewedBy, r.ReviewedAt, r.Version = StatusSubmitted, nil, "", "", time.Time{}, was+1
	if err := s.Store.AddEvidence(ctx, r, was, e, content); err != nil {
		return Evidence{}, err
	}
	return e, nil
}

// Review records a reviewer's decision on a unit's self-report: accepted with the value
// that counts (which may differ from the reported one), or rejected with the reason.
// It returns ErrReviewInvalid, ErrNothingToReview or the errors of Report.
func (s *Service) Review(ctx context.Context, c auth.Claims, year int, level Level, unit, indicator string, accept bool, value *float64, comment string) (SelfReport, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 500 || accept && (value == nil || *value < 0 || math.IsNaN(*value) || math.IsInf(*value, 0)) || !accept && comment == "" {
		return SelfReport{}, ErrReviewInvalid
	}
	if _, _, err := s.selfIndicator(ctx, year, level, indicator); err != nil {
		return SelfReport{}, err
	}
	r, found, err := s.Store.Report(ctx, year, level, unit, indicator)
	if err != nil {
		return SelfReport{}, err
	}
	if !found {
		return SelfReport{}, ErrNothingToReview
	}
	was := r.Version
	r.Status, r.Accepted = StatusRejected, nil
	if accept {
		v := Round1(*value)
		r.Status, r.Accepted = StatusAccepted, &v
	}
	r.Comment, r.ReviewedBy, r.ReviewedAt, r.Version = comment, c.OpenID, s.Now(), was+1
	if err := s.Store.PutReport(ctx, r, was); err != nil {
		return SelfReport{}, err
	}
	return r, nil
}

// Publish scores every unit of a level for the year as it stands now and publishes the
// result, once: after it the scheme and self-reports no longer change. It returns
// ErrSchemeNotFound or ErrPublished.
func (s *Service) Publish(ctx context.Context, year int, level Level) (Result, error) {
	sc, err := s.Store.Scheme(ctx, year, level)
	if err != nil {
		return Result{}, err
	}
	units, _, err := s.units(ctx, sc, "")
	if err != nil {
		return Result{}, err
	}
	r := Result{Scheme: sc, PublishedAt: s.Now(), Units: Score(sc, units)}
	if err := s.Store.Publish(ctx, r); err != nil {
		return Result{}, err
	}
	return r, nil
}

// Evidence returns an evidence file of a unit's self-reports.
func (s *Service) Evidence(ctx context.Context, year int, level Level, unit, id string) (Evidence, []byte, error) {
	return s.Store.Evidence(ctx, year, level, unit, id)
}

// CSV returns the result as a spreadsheet (UTF-8 with a byte-order mark): a row per
// unit in rank order with each indicator's value and points, the total, the rank and
// the selection.
func (r Result) CSV() []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	head := []string{"年度", "考评对象", "排名", "编号", "名称"}
	for _, in := range r.Scheme.Indicators {
		head = append(head, fmt.Sprintf("%s（目标 %s）", in.Name, num(in.Target)), fmt.Sprintf("%s得分（权重 %s）", in.Name, num(in.Weight)))
	}
	_ = w.Write(append(head, "总分", "评为先进"))
	for _, u := range r.Units {
		row := []string{strconv.Itoa(r.Scheme.Year), LevelTexts[r.Scheme.Level], strconv.Itoa(u.Rank), u.ID, u.Name}
		for _, l := range u.Lines {
			v := ""
			if l.Value != nil {
				v = num(*l.Value)
			}
			row = append(row, v, num(l.Points))
		}
		selected := "否"
		if u.Selected {
			selected = "是"
		}
		_ = w.Write(append(row, num(u.Total), selected))
	}
	w.Flush()
	return buf.Bytes()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
