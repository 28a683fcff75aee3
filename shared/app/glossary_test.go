package app_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/figure"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// texts converts a status text map to codes → words.
func texts[K ~string](m map[K]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// docs/glossary.md lists exactly the code's status texts, one word per status, and no
// word stands for two statuses of one subject.
func TestGlossary(t *testing.T) {
	code := map[string]map[string]string{
		"booking": texts(booking.StatusTexts), "slot": texts(booking.SlotStatusTexts),
		"volunteer": texts(volunteer.StatusTexts), "shift sign-up": texts(volunteer.SignupTexts),
		"message": texts(notify.StatusTexts), "feedback": texts(evaluation.TicketTexts),
		"feedback category": texts(evaluation.CategoryTexts), "team": texts(team.StatusTexts),
		"figure": texts(figure.StatusTexts),
	}
	b, err := os.ReadFile("../../docs/glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| ([a-z -]+?)(?: \\([^)]*\\))? \\| `([a-z_]+)` \\| (\\S+) \\|$")
	doc := map[string]map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if doc[m[1]] == nil {
			doc[m[1]] = map[string]string{}
		}
		doc[m[1]][m[2]] = m[3]
	}
	if fmt.Sprint(doc) != fmt.Sprint(code) {
		t.Errorf("docs/glossary.md says\n%v\nthe code says\n%v", doc, code)
	}
	for subject, words := range code {
		seen := map[string]string{}
		for status, word := range words {
			if other, dup := seen[word]; dup {
				t.Errorf("%s: %q stands for both %s and %s", subject, word, other, status)
			}
			seen[word] = status
		}
	}
	// Statuses the domains define have a word.
	for _, st := range []volunteer.Status{volunteer.StatusPending, volunteer.StatusActive, volunteer.StatusSuspended, volunteer.StatusRetired, volunteer.StatusRejected} {
		if st.Text() == "" {
			t.Errorf("volunteer status %s has no word", st)
		}
	}
	for _, st := range []booking.Status{booking.StatusConfirmed, booking.StatusWaitlisted, booking.StatusBalloted, booking.StatusCancelled} {
		if st.Text() == "" {
			t.Errorf("booking status %s has no word", st)
		}
	}
	for _, st := range figure.Statuses {
		if figure.StatusTexts[st] == "" {
			t.Errorf("figure status %s has no word", st)
		}
	}
	for _, c := range evaluation.Categories {
		if evaluation.CategoryTexts[c] == "" {
			t.Errorf("feedback category %s has no word", c)
		}
	}
}
