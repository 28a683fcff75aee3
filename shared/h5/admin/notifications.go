package admin

import (
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/notify"
)

// DeliveryRow is a message as staff read it: its kind, the masked recipient, and why it
// failed.
type DeliveryRow struct {
	ID, Kind, To, Reason string
	Attempts             int
	CreatedAt, DueAt     time.Time
	Failed               bool
}

type notificationsData struct {
	Notice string
	Status string
	Tabs   []Option
	List   []DeliveryRow
}

// notifications serves GET /h5/admin/notifications?status=failed|pending: the
// deliveries about the caller's district (an admin's: all), failed ones with a retry.
func (c *Console) notifications(w http.ResponseWriter, r *http.Request) {
	st := notify.Status(r.URL.Query().Get("status"))
	if st == "" {
		st = notify.StatusFailed
	}
	msgs, err := c.Notifications.Deliveries(r.Context(), claims(r), st, 100)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := notificationsData{Notice: notice(r), Status: string(st),
		Tabs: []Option{{string(notify.StatusFailed), notify.StatusTexts[notify.StatusFailed]}, {string(notify.StatusPending), notify.StatusTexts[notify.StatusPending]}, {string(notify.StatusSent), notify.StatusTexts[notify.StatusSent]}}}
	for _, m := range msgs {
		row := DeliveryRow{ID: m.ID, Kind: notify.KindName(m.Kind), To: m.To, Attempts: m.Attempts, CreatedAt: m.CreatedAt, DueAt: m.DueAt, Failed: m.Status == notify.StatusFailed}
		if m.LastError != "" {
			row.Reason = notify.ReasonText(m.LastError)
		}
		d.List = append(d.List, row)
	}
	c.render(w, r, "notifications", http.StatusOK, h5.View{Title: "消息发送 · " + notify.StatusTexts[st], Tab: "more", Back: Base + "/more", Data: d})
}

// messageTarget is the rule's target of a retry: the district the message is about.
func (c *Console) messageTarget(r *http.Request) ([]string, error) {
	return c.Notifications.MessageScope(r.Context(), r.PathValue("id"))
}

// retry serves POST /h5/admin/notifications/{id}/retry: a failed message is sent again.
func (c *Console) retry(w http.ResponseWriter, r *http.Request) {
	err := c.Notifications.Retry(r.Context(), r.PathValue("id"))
	c.finish(w, r, err, Base+"/notifications", "返回消息发送", "retry")
}
