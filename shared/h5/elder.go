package h5

import (
	"net/http"
	"time"
)

// elder reports whether the browser chose 长辈版.
func (s *Site) elder(r *http.Request) bool {
	ck, err := r.Cookie(elderCookie)
	return err == nil && ck.Value == "1"
}

// Elder reports whether the page is shown in 长辈版.
func (s *Site) Elder(r *http.Request) bool { return s.elder(r) }

func (s *Site) elderCookie(on bool) *http.Cookie {
	v := "0"
	if on {
		v = "1"
	}
	return s.cookie(elderCookie, v, 400*24*time.Hour) // browsers cap cookie lifetimes at 400 days
}

// setElder serves POST /h5/prefs/elder (on=1 or 0, next): the choice is kept in a cookie
// and, for a signed-in person, in their profile, so it follows them to another phone.
func (s *Site) setElder(w http.ResponseWriter, r *http.Request) {
	on := r.PostForm.Get("on") == "1"
	next := r.PostForm.Get("next")
	if !validNext(next) {
		next = Prefix + "/"
	}
	if c, ok := s.Claims(r); ok && s.cfg.People != nil {
		if err := s.cfg.People.SetElderMode(r.Context(), c.OpenID, on); err != nil {
			// The cookie still remembers it in this browser; the profile can wait.
			logger(r).Warn("save the 长辈版 preference", "err", err)
		}
	}
	http.SetCookie(w, s.elderCookie(on))
	http.Redirect(w, r, next, http.StatusSeeOther)
}
