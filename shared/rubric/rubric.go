// Package rubric scores against published criteria, each worth up to its maximum: the
// panel's scores of cultural figures and the star ratings of teams.
package rubric

// Criterion is one published criterion and its maximum points.
type Criterion struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Max  int    `json:"max"`
}

// Rubric is a list of published criteria.
type Rubric []Criterion

// Total returns the points of scores, or the error invalid (each rubric's own words)
// unless every criterion is scored within 0 and its maximum and nothing else is.
func (r Rubric) Total(scores map[string]int, invalid error) (int, error) {
	if len(scores) != len(r) {
		return 0, invalid
	}
	total := 0
	for _, c := range r {
		s, ok := scores[c.Key]
		if !ok || s < 0 || s > c.Max {
			return 0, invalid
		}
		total += s
	}
	return total, nil
}
