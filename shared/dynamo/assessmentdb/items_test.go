package assessmentdb

import (
	"reflect"
	"testing"

	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// Every field of a scheme, a self-report, its evidence and a result's unit goes into its
// item and comes back.
func TestItemsCarryEveryField(t *testing.T) {
	sc := dynamotest.Filled[assessment.Scheme]()
	if got := newSchemeAttr(sc).scheme(); !reflect.DeepEqual(got, sc) {
		t.Errorf("scheme through its item = %+v, want %+v", got, sc)
	}
	r := dynamotest.Filled[assessment.SelfReport]()
	if got := newReportItem(r).report(); !reflect.DeepEqual(got, r) {
		t.Errorf("self-report through its item = %+v, want %+v", got, r)
	}
	u := dynamotest.Filled[assessment.Unit]()
	if got := newResultUnitItem("pk", "batch", u).unit(); !reflect.DeepEqual(got, u) {
		t.Errorf("unit through its item = %+v, want %+v", got, u)
	}
}
