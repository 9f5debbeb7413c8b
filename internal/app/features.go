package app

// features registers the feature packages' commands, routes and schedules.
func (a *App) features() {}
