package dynamo

// convert turns the items a query read into the domain values they hold.
func convert[I, T any](items []I, f func(I) T) []T {
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}
