package volunteer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Reply is what the official account answers a scan with.
type Reply struct {
	Text string
}

func text(format string, args ...any) Reply { return Reply{Text: fmt.Sprintf(format, args...)} }

// The replies that change nothing.
var (
	replyNotVolunteer = text("您还不是注册志愿者。请先在“文化株洲”提交志愿者申请，审核通过后即可扫码签到。")
	replyNotActive    = text("您的志愿者身份当前不是“在册”状态，不能签到。如有疑问请联系所在地区的志愿服务协调员。")
	replyShiftUnknown = text("找不到该志愿服务班次，请确认二维码是否正确。")
	replyNotSignedUp  = text("您没有报名该班次，不能签到。请先在“文化株洲”报名。")
	replyEnded        = text("该班次已结束，不能再签到。")
)

// Scan answers a volunteer's scan of a parametric QR code at a time: "shift:<id>" (a
// shift's code) or "venue:<id>" (a venue's door code, which checks the volunteer into
// whichever of their shifts there is current). The first scan inside the shift's window
// (from Rules.EarlyCheckIn before the start to the end) checks in; the next, at least
// Rules.MinGap later, checks out and credits the time served when it is at least
// Rules.MinServed of the shift. Repeated deliveries of one event (same openid, scene and
// time) change things once and get the same reply. Refusals (not a volunteer, not
// active, not signed up, outside the window, outside the geofence) are replies that
// change nothing.
//
// It returns ErrSceneUnknown for a scene of another kind, and ErrNoCurrentShift for a
// venue code when the person has no current shift there (the callback then answers with
// the venue's details). Other errors are failures (the callback answers "busy").
func (s *Service) Scan(ctx context.Context, openid, scene string, at time.Time) (Reply, error) {
	at = at.Truncate(time.Second)
	shiftID, isShift := strings.CutPrefix(scene, SceneShift)
	venueID, isVenue := strings.CutPrefix(scene, SceneVenue)
	if (!isShift || shiftID == "") && (!isVenue || venueID == "") {
		return Reply{}, ErrSceneUnknown
	}
	v, err := s.Store.VolunteerOf(ctx, openid)
	switch {
	case errors.Is(err, ErrNotApplied) && isVenue:
		return Reply{}, ErrNoCurrentShift
	case errors.Is(err, ErrNotApplied):
		return replyNotVolunteer, nil
	case err != nil:
		return Reply{}, fmt.Errorf("scan: %w", err)
	}
	var (
		sh Shift
		sg Signup
		ok bool
	)
	if isVenue {
		sh, sg, ok, err = s.currentAtVenue(ctx, v.ID, venueID, at)
		if err != nil {
			return Reply{}, fmt.Errorf("scan venue: %w", err)
		}
		if !ok {
			return Reply{}, ErrNoCurrentShift
		}
	} else {
		sh, err = s.Store.Shift(ctx, shiftID)
		if errors.Is(err, ErrShiftNotFound) {
			return replyShiftUnknown, nil
		}
		if err != nil {
			return Reply{}, fmt.Errorf("scan: %w", err)
		}
		sg, ok, err = s.Store.Signup(ctx, sh.ID, v.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("scan: %w", err)
		}
	}
	if v.Status != StatusActive {
		return replyNotActive, nil
	}
	if !ok || sg.Status != SignedUp {
		return replyNotSignedUp, nil
	}
	key := ScanKey{ShiftID: sh.ID, VolunteerID: v.ID, At: at}
	if reply, seen, err := s.Store.ScanReply(ctx, key); err != nil || seen {
		return Reply{Text: reply}, err
	}
	r, err := s.decide(ctx, openid, sh, sg, key)
	if errors.Is(err, ErrDuplicateScan) {
		// A concurrent delivery of the same event won the race: answer as it did.
		reply, _, err := s.Store.ScanReply(ctx, key)
		return Reply{Text: reply}, err
	}
	return r, err
}

// decide checks in or out, or explains why not.
func (s *Service) decide(ctx context.Context, openid string, sh Shift, sg Signup, key ScanKey) (Reply, error) {
	r := s.rules()
	at := key.At
	switch {
	case sg.CheckedInAt.IsZero():
		if at.Before(sh.StartsAt.Add(-r.EarlyCheckIn)) {
			return text("签到时间未到：%s 开始，可提前 %d 分钟签到。", clock(sh.StartsAt), int(r.EarlyCheckIn/time.Minute)), nil
		}
		if !at.Before(sh.EndsAt) {
			return replyEnded, nil
		}
		if refusal, ok, err := s.outsideFence(ctx, openid, sh, at); err != nil || ok {
			return refusal, err
		}
		reply := text("签到成功！%s，%s—%s。服务结束时请再次扫码签退。", sh.Title, clock(sh.StartsAt), clock(sh.EndsAt))
		if err := s.Store.CheckIn(ctx, key, reply.Text, sg); err != nil {
			return Reply{}, fmt.Errorf("check in: %w", err)
		}
		return reply, nil
	case !sg.CheckedOutAt.IsZero():
		return text("您已签退本班次，记录服务时长 %.2f 小时。", Hours(sg.CreditMinutes)), nil
	case at.Sub(sg.CheckedInAt) < r.MinGap:
		return text("您已签到（%s）。服务结束时请再次扫码签退。", clock(sg.CheckedInAt)), nil
	}
	reply, credit := s.checkOut(sh, sg, at, "scan")
	if err := s.Store.CheckOut(ctx, &key, reply.Text, sg, at, credit, at.Add(s.rules().ReconfirmAfter).UTC()); err != nil {
		return Reply{}, fmt.Errorf("check out: %w", err)
	}
	return reply, nil
}

// checkOut computes the credit of a check-out at out, and the reply that explains it.
func (s *Service) checkOut(sh Shift, sg Signup, out time.Time, by string) (Reply, *Entry) {
	r := s.rules()
	minutes := Credit(sh, sg.CheckedInAt, out, r.MinServed)
	if minutes == 0 {
		return text("签退成功。本次服务未达到班次时长的 %d%%，不计入服务时长。", int(r.MinServed*100+0.5)), nil
	}
	e := &Entry{ID: "credit-" + sh.ID, VolunteerID: sg.VolunteerID, Kind: EntryCredit, Minutes: minutes,
		ShiftID: sh.ID, By: by, At: out}
	return text("签退成功！本次记录服务时长 %.2f 小时。感谢您的志愿服务！", Hours(minutes)), e
}

// outsideFence returns the refusal when the shift has a geofence and the person's last
// location is missing, stale or too far from the venue.
func (s *Service) outsideFence(ctx context.Context, openid string, sh Shift, at time.Time) (Reply, bool, error) {
	if sh.GeofenceMeters <= 0 {
		return Reply{}, false, nil
	}
	fix, ok, err := s.People.LastLocation(ctx, openid)
	if err != nil {
		return Reply{}, false, fmt.Errorf("last location: %w", err)
	}
	maxAge := s.rules().LocationMaxAge
	if !ok || at.Sub(fix.At) > maxAge || fix.At.After(at.Add(time.Minute)) {
		return text("该班次需要定位签到：请进入公众号并允许“提供位置信息”（发送位置消息不算），%d 分钟内再扫码。", int(maxAge/time.Minute)), true, nil
	}
	if d := distance(fix.Location, sh.VenueLocation); d > float64(sh.GeofenceMeters) {
		return text("您距离服务场馆约 %.0f 米，需在 %d 米以内才能签到。", d, sh.GeofenceMeters), true, nil
	}
	return Reply{}, false, nil
}

// currentAtVenue finds the person's shift at a venue whose window contains at and that
// they have not checked out of.
func (s *Service) currentAtVenue(ctx context.Context, volunteerID, venueID string, at time.Time) (Shift, Signup, bool, error) {
	r := s.rules()
	shifts, err := s.Store.ShiftsAtVenue(ctx, venueID, at.Add(-24*time.Hour), at.Add(r.EarlyCheckIn))
	if err != nil {
		return Shift{}, Signup{}, false, err
	}
	for _, sh := range shifts {
		if at.Before(sh.StartsAt.Add(-r.EarlyCheckIn)) || !at.Before(sh.EndsAt) {
			continue
		}
		sg, ok, err := s.Store.Signup(ctx, sh.ID, volunteerID)
		if err != nil {
			return Shift{}, Signup{}, false, err
		}
		if ok && sg.Status == SignedUp && sg.CheckedOutAt.IsZero() {
			return sh, sg, true, nil
		}
	}
	return Shift{}, Signup{}, false, nil
}

// CloseForgotten checks out, at their shift's end, the volunteers who checked in and
// never out: credited only up to the end, by the 60 % rule. It is the scheduler's job
// and idempotent: a sign-up closed once is not in the next run's list, and closing it
// twice fails its condition. It returns how many it closed.
func (s *Service) CloseForgotten(ctx context.Context, now time.Time) (int, error) {
	open, err := s.Store.OpenCheckIns(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("close forgotten check-outs: %w", err)
	}
	closed := 0
	var errs []error
	for _, sg := range open {
		sh := Shift{ID: sg.ShiftID, StartsAt: sg.StartsAt, EndsAt: sg.EndsAt}
		_, credit := s.checkOut(sh, sg, sg.EndsAt, "scheduler")
		err := s.Store.CheckOut(ctx, nil, "", sg, sg.EndsAt, credit, sg.EndsAt.Add(s.rules().ReconfirmAfter).UTC())
		switch {
		case errors.Is(err, ErrStale):
			continue // checked out by a scan meanwhile
		case err != nil:
			errs = append(errs, fmt.Errorf("close %s/%s: %w", sg.ShiftID, privacy.OpenID(sg.VolunteerID), err))
			continue
		}
		closed++
	}
	if closed > 0 {
		s.Log.Info("closed forgotten check-outs", "count", closed)
	}
	return closed, errors.Join(errs...)
}

func clock(t time.Time) string { return beijing.Short(t) }

// ScanShift answers the scan of a shift's code ("shift:<id>") with the id alone, in the
// shape of the WeChat callback's scene handlers: at must be the event's CreateTime, so
// that WeChat's repeated deliveries of one event count once.
func (s *Service) ScanShift(ctx context.Context, openid, id string, at time.Time) (Reply, error) {
	return s.Scan(ctx, openid, SceneShift+id, at)
}

// ScanVenue answers the scan of a venue's door code ("venue:<id>") for a volunteer with
// a current shift there; for anyone else it returns ErrNoCurrentShift, and the callback
// shows the venue instead.
func (s *Service) ScanVenue(ctx context.Context, openid, id string, at time.Time) (Reply, error) {
	return s.Scan(ctx, openid, SceneVenue+id, at)
}
