package callback

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
)

// Errors a scene handler returns; the chat turns each into a clear reply.
var (
	ErrSceneUnknown     = fault.New(fault.NotFound, "scene_unknown", "无法识别该二维码")
	ErrSceneExpired     = fault.New(fault.Invalid, "scene_expired", "该二维码已过期")
	ErrSceneUnavailable = fault.New(fault.NotFound, "scene_unavailable", "该二维码对应的服务暂未开放")
)

// SceneHandler answers the scan of a parametric QR code whose scene is "<type>:<id>",
// by the person from at now. It returns ErrSceneUnknown when no such id exists and
// ErrSceneExpired when the code is no longer valid (a shift that has ended).
type SceneHandler func(ctx context.Context, from, id string, now time.Time) (Reply, error)

// Scenes routes QR scenes by type: "shift" to the volunteer domain, "venue" to the
// directory, "screening" to the film screenings, "ticket" to bookings. Each domain
// registers its handler; a type nobody handles yet answers ErrSceneUnavailable.
type Scenes map[string]SceneHandler

// Scene types the platform prints on its QR codes.
const (
	SceneShift     = "shift"     // a volunteer shift: check in, then out
	SceneVenue     = "venue"     // a venue's door: its details and what is on
	SceneScreening = "screening" // a village film screening: the projectionist's verification
	SceneTicket    = "ticket"    // a booking's e-ticket
)

// knownScenes are the types a valid scene may have, handled or not yet.
var knownScenes = map[string]bool{SceneShift: true, SceneVenue: true, SceneScreening: true, SceneTicket: true}

// ParseScene splits a scene string "<type>:<id>"; ok is false when it is not one.
// Scenes are at most 64 characters (WeChat's limit for string scenes).
func ParseScene(scene string) (typ, id string, ok bool) {
	if len(scene) > 64 {
		return "", "", false
	}
	typ, id, ok = strings.Cut(scene, ":")
	if !ok || typ == "" || id == "" {
		return "", "", false
	}
	return typ, id, true
}

// Scene builds a scene string.
func Scene(typ, id string) string { return typ + ":" + id }

// Route answers a scan of scene.
func (s Scenes) Route(ctx context.Context, from, scene string, now time.Time) (Reply, error) {
	typ, id, ok := ParseScene(scene)
	if !ok || !knownScenes[typ] {
		return Reply{}, ErrSceneUnknown
	}
	h := s[typ]
	if h == nil {
		return Reply{}, ErrSceneUnavailable
	}
	return h(ctx, from, id, now)
}

// VenueFinder reads one venue (directorydb.Directory).
type VenueFinder interface {
	// Venue returns the venue, or directory.ErrVenueNotFound.
	Venue(ctx context.Context, id string) (directory.Venue, error)
}

// VenueScene answers the scan of a venue's door code ("venue:<id>"): its name,
// opening hours and address, with a link to what is on.
func VenueScene(venues VenueFinder, links Links) SceneHandler {
	return func(ctx context.Context, _, id string, _ time.Time) (Reply, error) {
		v, err := venues.Venue(ctx, id)
		if errors.Is(err, directory.ErrVenueNotFound) {
			return Reply{}, ErrSceneUnknown
		}
		if err != nil {
			return Reply{}, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "欢迎来到%s！", v.Name)
		if v.OpeningHours != "" {
			fmt.Fprintf(&b, "\n开放时间：%s", v.OpeningHours)
		}
		if v.Address != "" {
			fmt.Fprintf(&b, "\n地址：%s", v.Address)
		}
		fmt.Fprintf(&b, "\n查看近期活动：<a href=\"%s\">文化地图</a>", links.Map(v.Location.Lat, v.Location.Lng))
		return Text(b.String()), nil
	}
}

// ScreeningScene answers a scan of a screening's code (screening:<slot id>) with the
// projectionist's verification page, where the location and the head-count are given
// (POST /api/v1/admin/screenings/{id}/verify); a slot that does not exist is unknown.
func ScreeningScene(slot func(ctx context.Context, id string) (booking.Slot, error), links Links) SceneHandler {
	return func(ctx context.Context, _, id string, _ time.Time) (Reply, error) {
		sl, err := slot(ctx, id)
		if errors.Is(err, booking.ErrSlotNotFound) {
			return Reply{}, ErrSceneUnknown
		}
		if err != nil {
			return Reply{}, err
		}
		return Text(screeningText(sl, links.Screening(id))), nil
	}
}
