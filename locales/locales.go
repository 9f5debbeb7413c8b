// Package locales embeds the bot's user-facing texts (ru.toml, en.toml, and
// any other <name>.<lang>.toml) so the binary carries them.
package locales

import "embed"

// FS holds every *.toml file of this folder.
//
//go:embed *.toml
var FS embed.FS
