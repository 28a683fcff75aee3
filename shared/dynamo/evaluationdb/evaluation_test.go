package evaluationdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo/evaluationdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/fault"
)

// The same person rating the same activity from two devices at once counts once; a
// failing table counts nothing and says unavailable.
func TestAddRatingOncePerPerson(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	e := &evaluationdb.Evaluation{DB: tbl.DB, Table: tbl.Name}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	r := evaluation.Rating{OpenID: "o-1", ActivityID: "a1", VenueID: "v1", DistrictPath: "430200/430211", Score: 4, CreatedAt: at}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			r := r
			r.ID = fmt.Sprint(i)
			errs[i] = e.AddRating(ctx, r, []evaluation.Alert{{Kind: evaluation.AlertLowRating, Recipient: "o-staff", Payload: map[string]string{"x": "y"}}})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, evaluation.ErrAlreadyRated), fault.KindOf(err) == fault.Unavailable:
		default:
			t.Errorf("AddRating = %v, want nil, ErrAlreadyRated or unavailable", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent ratings by one person succeeded, want 1", ok)
	}
	for _, subject := range []string{"activity:a1", "venue:v1", "district:430200", "district:430211"} {
		for _, period := range []string{"2026-11", "2026", evaluation.AllTime} {
			if got, err := e.Tally(ctx, subject, period); err != nil || got.N != 1 || got.Sum != 4 || got.Stars[3] != 1 {
				t.Errorf("Tally(%s, %s) = %+v, %v; want one 4-star rating", subject, period, got, err)
			}
		}
	}
	// A year is the sum of its months.
	r2 := evaluation.Rating{ID: "x", OpenID: "o-3", ActivityID: "a2", VenueID: "v1", Score: 2, CreatedAt: at.AddDate(0, -3, 0)}
	if err := e.AddRating(ctx, r2, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := e.Tally(ctx, "venue:v1", "2026"); err != nil || got.N != 2 || got.Sum != 6 || got.Stars[1] != 1 {
		t.Errorf("Tally(venue:v1, 2026) = %+v, %v; want the ratings of August and November", got, err)
	}
	if got, _ := e.Tally(ctx, "venue:v1", "2025"); got.N != 0 {
		t.Errorf("Tally(venue:v1, 2025) = %+v, want none", got)
	}
	if items, _ := notifydb.PendingOutbox(ctx, tbl.DB, tbl.Name, at, 100); len(items) != 1 {
		t.Errorf("%d outbox items, want the one of the rating that counted", len(items))
	}

	tbl.FailAll(t)
	r.OpenID = "o-2"
	if err := e.AddRating(ctx, r, nil); fault.KindOf(err) != fault.Unavailable {
		t.Errorf("AddRating(failing table) = %v, want unavailable", err)
	}
}
