package alerts

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gubkin-news/newsbot/internal/news"
)

// places are what residents follow, most popular first: streets, villages,
// microdistricts, schools of Gubkin. Popularity falls off like 1/rank.
var places = []string{
	"Кирова", "Комсомольская", "Дзержинского", "Троицкий", "Лебеди", "Чайковского", "Коньшино",
	"Мира", "Победы", "Заречье", "Лебединский ГОК", "школа № 12", "Ленина", "Королёва",
	"Агошкова", "Севастопольская", "Фрунзе", "Горького", "Маяковского", "Народная", "Октябрьская",
	"Преображенская", "Свердлова", "Советская", "Стадионная", "Строителей", "Тимирязева",
	"Юбилейная", "Чкалова", "Космонавтов", "Революционная", "Белгородская", "Курская", "Садовая",
	"Молодёжная", "Пролетарская", "Пионерская", "Архангельское", "Скородное", "Бобровы Дворы",
	"Сапрыкино", "Никаноровка", "Юрьевка", "Истобное", "Толстое", "Аверино", "Уколово",
	"Осколец", "Стойленский ГОК", "парк Горняков", "стадион Горняк", "площадь Победы",
	"Дворец спорта", "городская больница", "рынок", "посёлок Троицкий", "улица Мира",
	"детский сад № 25", "гимназия № 6", "лицей № 5", "школа № 1", "школа № 2", "школа № 3",
	"школа № 10", "школа № 11", "школа № 13", "школа № 15", "школа № 16", "школа № 17",
}

// altForms are other ways residents type the same place.
var altForms = map[string]string{
	"Комсомольская": "Комсомольской", "Лебеди": "Лебедях", "Заречье": "Заречья",
	"Лебединский ГОК": "ЛЕБЕДИНСКИЙ ГОК", "Мира": "мира", "Троицкий": "Троицком",
}

var mutePool = []string{"ДТП", "реклама", "ремонт", "футбол", "выборы", "погода"}

// article is a realistic city news item (≈3,000 characters): it mentions
// Комсомольская, Лебеди, Мира, Заречье, Лебединский ГОК, школа № 12, the
// words «ремонт» and «погода» — and no other place of the list.
var article = news.Article{
	ID:    "bench",
	Title: "В Губкине начался ремонт улиц: где ограничат движение летом",
	Lead: "Дорожники приступили к ремонту на улице Комсомольской и в микрорайоне Лебеди. " +
		"Работы продлятся до конца августа, сообщили в администрации городского округа.",
	FullText: "Первый этап ремонта начался в понедельник на участке улицы Комсомольской от перекрёстка " +
		"до городского парка. Здесь снимут старый асфальт, заменят бордюры и обустроят новые " +
		"тротуары. На время работ движение по Комсомольской будет частично ограничено: автобусы " +
		"маршрутов № 3 и № 7 пойдут в объезд. Водителей просят заранее планировать поездки.\n" +
		"В Лебедях обновят дворовые проезды у многоквартирных домов и освещение вдоль пешеходной " +
		"зоны. Жители микрорайона давно просили отремонтировать дорогу к детской поликлинике, и " +
		"теперь этот участок включён в программу. Подрядчик обещает закончить работы в Лебедях " +
		"к середине июля, если позволит погода.\n" +
		"Отдельное внимание уделят безопасности детей. Возле школы № 12 появятся новые пешеходные " +
		"переходы с подсветкой, искусственные неровности и ограждения. Родители учеников школы " +
		"№ 12 уже получили памятки о временных маршрутах. К первому сентября все работы у школы " +
		"должны быть завершены, подчеркнули в управлении образования.\n" +
		"На улице Мира заменят ливневую канализацию: после сильных дождей здесь каждый год " +
		"собирались большие лужи. Специалисты проверили трубы и пришли к выводу, что их проще " +
		"проложить заново, чем чинить. Движение по улице Мира на время работ сохранится, но " +
		"одна полоса будет закрыта.\n" +
		"Жители Заречья смогут пользоваться новой остановкой общественного транспорта: её " +
		"поставят у въезда в микрорайон. Павильон будет с навесом, скамейками и электронным " +
		"табло, на котором покажут время прибытия автобусов. В Заречье также отсыплют щебнем " +
		"грунтовые дороги на окраине.\n" +
		"Часть средств на благоустройство выделил Лебединский ГОК в рамках соглашения о " +
		"социальном партнёрстве с городским округом. Представители Лебединского ГОКа " +
		"рассказали, что комбинат поможет и с техникой: на объекты выйдут самосвалы и катки " +
		"предприятия. Всего в программе этого года восемнадцать объектов.\n" +
		"Кроме дорог, в этом году планируют обновить несколько детских площадок и скверов. " +
		"Проекты благоустройства обсуждали на публичных слушаниях весной: жители предлагали " +
		"добавить лавочки, урны и велопарковки, а также высадить деревья вдоль тротуаров. Часть " +
		"предложений уже учли подрядчики, остальные рассмотрят при подготовке программы на " +
		"следующий год. Контролировать качество работ будут специалисты технадзора и " +
		"общественники: они проверят толщину асфальта, уклоны и водоотвод. Если после приёмки " +
		"обнаружатся дефекты, подрядчик обязан устранить их за свой счёт в течение гарантийного " +
		"срока — пяти лет.\n" +
		"Сроки и ход работ можно уточнить на сайте администрации или по телефону горячей " +
		"линии. Горожан просят с пониманием отнестись к временным неудобствам и соблюдать " +
		"ограничения скорости вблизи техники. Редакция будет следить за ходом ремонта и " +
		"расскажет, когда движение на улицах откроют полностью. Фото: пресс-служба " +
		"администрации Губкинского городского округа.",
}

type fixtureChat struct {
	id      int64
	follows []string
	mutes   []string
}

// fixture gives n chats with 5 followed places each, drawn by popularity
// (so they overlap heavily), some typed in other forms; every 7th chat also
// mutes one word.
func fixture(n int) []fixtureChat {
	rnd := rand.New(rand.NewPCG(42, uint64(n)))
	weights, total := make([]float64, len(places)), 0.0
	for i := range places {
		weights[i] = 1 / float64(i+1)
		total += weights[i]
	}
	pick := func() string {
		x := rnd.Float64() * total
		for i, w := range weights {
			if x -= w; x < 0 {
				return places[i]
			}
		}
		return places[len(places)-1]
	}
	chats := make([]fixtureChat, n)
	for i := range chats {
		c := fixtureChat{id: int64(100000 + i)}
		if i%10 == 0 {
			c.id = -1001000000 - int64(i) // a group
		}
		for seen := map[string]bool{}; len(c.follows) < 5; {
			p := pick()
			if seen[p] {
				continue
			}
			seen[p] = true
			if alt, ok := altForms[p]; ok && rnd.IntN(3) == 0 {
				p = alt
			}
			c.follows = append(c.follows, p)
		}
		if i%7 == 0 {
			c.mutes = []string{mutePool[rnd.IntN(len(mutePool))]}
		}
		chats[i] = c
	}
	return chats
}

// seed stores the chats through the same script as Follow and Mute, pipelined.
func seed(tb testing.TB, a *Alerts, chats []fixtureChat) {
	tb.Helper()
	ctx := context.Background()
	pipe := a.st.R.Pipeline()
	flush := func() {
		if _, err := pipe.Exec(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	for _, c := range chats {
		for l, phrases := range map[list][]string{follows: c.follows, mutes: c.mutes} {
			for _, p := range phrases {
				typed, err := ParseArg(p)
				if err != nil {
					tb.Fatalf("fixture phrase %q: %v", p, err)
				}
				a.addScriptCmd(ctx, pipe, l, c.id, typed)
			}
		}
		if pipe.Len() >= 5000 {
			flush()
		}
	}
	flush()
}

// expected is Match computed the slow, obvious way: every chat, every phrase,
// a substring search over the article's tokens.
func expected(chats []fixtureChat) Result {
	text := " " + strings.Join(articleTokens(article), " ") + " "
	has := func(p string) bool { return strings.Contains(text, " "+normalize(p)+" ") }
	want := Result{Follows: map[int64][]string{}, Muted: map[int64]bool{}}
	for _, c := range chats {
		for _, p := range c.follows {
			if has(p) {
				want.Follows[c.id] = append(want.Follows[c.id], p)
			}
		}
		for _, p := range c.mutes {
			if has(p) {
				want.Muted[c.id] = true
			}
		}
		sort.Strings(want.Follows[c.id])
	}
	return want
}

func TestMatchSmallSetupGivesExactChats(t *testing.T) {
	chats := fixture(600)
	a := newAlerts(t)
	seed(t, a, chats)
	got, err := a.Match(context.Background(), article)
	if err != nil {
		t.Fatal(err)
	}
	want := expected(chats)
	if len(want.Follows) == 0 || len(want.Follows) == len(chats) || len(want.Muted) == 0 {
		t.Fatalf("fixture is not telling: %d of %d chats match, %d mute", len(want.Follows), len(chats), len(want.Muted))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Match differs from the brute force: got %d follows, %d mutes; want %d, %d",
			len(got.Follows), len(got.Muted), len(want.Follows), len(want.Muted))
	}
	t.Logf("%d of %d chats follow a mentioned place, %d mute a mentioned word", len(want.Follows), len(chats), len(want.Muted))
}

func TestArticleFixtureIsRealisticSize(t *testing.T) {
	n := len([]rune(article.Title + article.Lead + article.FullText))
	if n < 2800 || n > 3600 {
		t.Fatalf("article has %d characters, want about 3,000", n)
	}
}

// BenchmarkMatch10kChats: 10,000 chats, 5 places each, against one
// 3,000-character article. The goal is under 50 ms per Match.
func BenchmarkMatch10kChats(b *testing.B) {
	a := newAlerts(b)
	seed(b, a, fixture(10000))
	ctx := context.Background()
	var res Result
	for b.Loop() {
		var err error
		if res, err = a.Match(ctx, article); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Follows)), "chats")
}
