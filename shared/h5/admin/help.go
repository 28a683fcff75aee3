package admin

import (
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/h5"
)

type helpData struct {
	Scope                 scope // what the caller manages
	DoorOpens, DoorCloses int   // minutes before and after a session's start
	NoShow                booking.NoShowRules
}

// help serves GET /h5/admin/help: how to use the console, for staff, with the door's
// window and the no-show rules as this platform is configured.
func (c *Console) help(w http.ResponseWriter, r *http.Request) {
	sc, err := c.scopeOf(r.Context(), claims(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	start := c.Now()
	opens, closes := c.Bookings.DoorWindow(start)
	d := helpData{Scope: sc, NoShow: booking.DefaultNoShowRules,
		DoorOpens: int(start.Sub(opens) / time.Minute), DoorCloses: int(closes.Sub(start) / time.Minute)}
	c.render(w, r, "help", http.StatusOK, h5.View{Title: "使用说明", Tab: "more", Back: Base + "/more", Data: d})
}
