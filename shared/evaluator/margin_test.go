package evaluator

import (
	"math"
	"slices"
	"testing"
)

// The margins follow the stated formulas: the finite population correction shrinks
// them as the answers approach the frame and removes them when everyone answered; one
// answer gives none; a single stratum combined is itself; two strata weigh by their
// frames.
func TestMargins(t *testing.T) {
	vals := []float64{5, 3, 4, 4}
	big, small, all := meanOf(vals, 1_000_000), meanOf(vals, 8), meanOf(vals, 4)
	s2 := 2.0 / 3 // deviations 1, -1, 0, 0 over n-1 = 3
	if got, want := big.variance, (1-4.0/1_000_000)*s2/4; math.Abs(got-want) > 1e-12 {
		t.Errorf("variance of a big frame = %v, want %v", got, want)
	}
	if got, want := small.variance, 0.5*s2/4; math.Abs(got-want) > 1e-12 {
		t.Errorf("variance with half the frame answering = %v, want %v", got, want)
	}
	if e := all.estimate(1); e.Margin == nil || *e.Margin != 0 {
		t.Errorf("everyone answered: margin = %v, want 0", e.Margin)
	}
	if e := meanOf([]float64{5}, 10).estimate(1); e.Margin != nil || e.Value != 5 {
		t.Errorf("one answer = %+v, want 5 without a margin", e)
	}
	p := proportionOf(30, 50, 200)
	if got, want := *p.estimate(100).Margin, round1(Z95*math.Sqrt((1-50.0/200)*0.6*0.4/49)*100); got != want {
		t.Errorf("margin of 60%% of 50 from 200 = %v, want %v", got, want)
	}
	if c := combined([]stratum{small}); c.mean != small.mean || c.variance != small.variance {
		t.Errorf("one stratum combined = %+v, want %+v", *c, small)
	}
	a, b := meanOf([]float64{5, 5, 4}, 30), meanOf([]float64{2, 3, 3}, 10)
	c := combined([]stratum{a, b, {N: 0}})
	if want := 0.75*a.mean + 0.25*b.mean; math.Abs(c.mean-want) > 1e-12 {
		t.Errorf("combined mean = %v, want %v", c.mean, want)
	}
	if want := 0.75*0.75*a.variance + 0.25*0.25*b.variance; math.Abs(c.variance-want) > 1e-12 {
		t.Errorf("combined variance = %v, want %v", c.variance, want)
	}
	if combined([]stratum{a, {N: 5}}) != nil {
		t.Error("a stratum with attendees and no answers: combined, want withheld")
	}
}

// The draw is the same for the same survey and district, and differs across surveys.
func TestOrderIsKeyed(t *testing.T) {
	frame := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	s1 := Survey{Seed: "0102030405060708091011121314151617181920212223242526272829303132"}
	s2 := Survey{Seed: "ff02030405060708091011121314151617181920212223242526272829303132"}
	o1, again, o2 := s1.Order("430211", frame), s1.Order("430211", frame), s2.Order("430211", frame)
	if !slices.Equal(o1, again) {
		t.Errorf("the same survey drew %v then %v", o1, again)
	}
	if slices.Equal(o1, o2) {
		t.Errorf("two seeds drew the same order %v", o1)
	}
	if slices.Equal(o1, s1.Order("430223", frame)) {
		t.Errorf("two districts drew the same order %v", o1)
	}
}
