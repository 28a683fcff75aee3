package booking

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// FilmPoll is a village's choice of its next open-air film (群众点单): staff offer a
// short list, the village's residents vote once each, the count is public.
type FilmPoll struct {
	ID         string    `json:"id"`
	DistrictID string    `json:"districtId"` // the village (or community) that votes
	Films      []string  `json:"films"`      // 2 to 10 titles
	ClosesAt   time.Time `json:"closesAt"`
	CreatedAt  time.Time `json:"createdAt"`
	Votes      []int     `json:"votes,omitempty"` // per film, in the order of Films (answers only)
	Leading    []string  `json:"leading,omitempty"`
}

// Errors of film polls.
var (
	ErrPollInvalid   = fault.New(fault.Invalid, "poll_invalid", "点单信息无效：请填写村（社区）、2-10 部影片和截止时间")
	ErrPollNotFound  = fault.New(fault.NotFound, "poll_not_found", "找不到该点单")
	ErrPollClosed    = fault.New(fault.Conflict, "poll_closed", "投票已截止")
	ErrAlreadyVoted  = fault.New(fault.Conflict, "already_voted", "您已投过票")
	ErrChoiceInvalid = fault.New(fault.Invalid, "choice_invalid", "请选择列表中的影片")
)

// FilmPolls keeps film polls and their votes.
type FilmPolls interface {
	PutPoll(ctx context.Context, p FilmPoll) error
	// Poll returns a poll with its vote counts, or ErrPollNotFound.
	Poll(ctx context.Context, id string) (FilmPoll, error)
	// Vote records openid's vote for film index choice, once: ErrAlreadyVoted.
	Vote(ctx context.Context, pollID, openid string, choice int, now time.Time) error
}

// Validate reports ErrPollInvalid unless the poll has an id, a district, 2–10 titles of
// 1–100 characters and a closing time.
func (p FilmPoll) Validate() error {
	if p.ID == "" || p.DistrictID == "" || len(p.Films) < 2 || len(p.Films) > 10 || p.ClosesAt.IsZero() {
		return ErrPollInvalid
	}
	for _, f := range p.Films {
		if f == "" || utf8.RuneCountInString(f) > 100 {
			return ErrPollInvalid
		}
	}
	return nil
}

// CreatePoll offers a village its short list. Errors: ErrPollInvalid.
func (s *Service) CreatePoll(ctx context.Context, p FilmPoll) (FilmPoll, error) {
	p.ID, p.CreatedAt, p.Votes, p.Leading = s.NewID(), s.Now().UTC(), nil, nil
	if err := p.Validate(); err != nil || !p.ClosesAt.After(p.CreatedAt) {
		return FilmPoll{}, ErrPollInvalid
	}
	if s.Districts != nil {
		if _, ok, err := s.Districts.DistrictPath(ctx, p.DistrictID); err != nil {
			return FilmPoll{}, err
		} else if !ok {
			return FilmPoll{}, ErrPollInvalid
		}
	}
	return p, s.Polls.PutPoll(ctx, p)
}

// Poll returns a poll with its counts and the leading film(s). Errors: ErrPollNotFound.
func (s *Service) Poll(ctx context.Context, id string) (FilmPoll, error) {
	if !ValidID(id) {
		return FilmPoll{}, ErrPollNotFound
	}
	p, err := s.Polls.Poll(ctx, id)
	if err != nil {
		return FilmPoll{}, err
	}
	best := 0
	for _, v := range p.Votes {
		best = max(best, v)
	}
	for i, v := range p.Votes {
		if v == best && best > 0 {
			p.Leading = append(p.Leading, p.Films[i])
		}
	}
	return p, nil
}

// VoteFilm records a resident's vote (choice: the film's index) in a poll of their
// village (where they live, from their profile, as for district-limited slots). Errors:
// ErrPollNotFound, ErrPollClosed, ErrChoiceInvalid, ErrHomeMissing, ErrNotEligible,
// ErrAlreadyVoted.
func (s *Service) VoteFilm(ctx context.Context, openid, pollID string, choice int) error {
	p, err := s.Poll(ctx, pollID)
	if err != nil {
		return err
	}
	now := s.Now()
	switch {
	case !now.Before(p.ClosesAt):
		return ErrPollClosed
	case choice < 0 || choice >= len(p.Films):
		return ErrChoiceInvalid
	}
	home := ""
	if s.Homes != nil {
		if home, err = s.Homes.Home(ctx, openid); err != nil {
			return err
		}
	}
	if err := s.checkEligible(ctx, Slot{EligibleDistrictID: p.DistrictID}, home); err != nil {
		return err
	}
	return s.Polls.Vote(ctx, pollID, openid, choice, now)
}
