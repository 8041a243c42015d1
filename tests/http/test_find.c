/* Finding articles over HTTP (docs/find.md): the filters, sorts, fields,
 * page and cursor modes of GET /v1/articles, the entity index
 * (/v1/entities...) and the quote index (/v1/quotes), and how all of them
 * follow a write. Each test runs its own server on a private copy of
 * tests/fixtures/find/, ten short articles written for these tests.
 *
 * The expectations below were read off the fixture files (and checked
 * against `articled annotate` for what the annotator finds in them):
 *
 * id               published                  section    tags                    source
 * port-expansion   2025-12-01T00:00:00Z       business   Transport, Cork, ports  Reuters
 * hospital-waits   2025-11-30T23:30:00Z       Health     health, hospitals       Harbour Wire
 * storm-galway     2025-11-03T06:15:00+01:00  Weather    storm, Galway           Harbour Wire,
 * Reuters budget-vote      2025-10-14T18:30:00Z       Politics   budget                  Harbour
 * Wire rent-protest     2025-10-14T18:30:00Z       politics   Housing, protest        Harbour Wire,
 * Reuters housing-plan     2025-09-02T09:00:00Z       Politics   housing, budget         Reuters
 * ecoles-lisbon    2025-08-20                 Education  schools, Portugal       Agence
 * France-Presse ferry-strike     2025-07-05T07:00:00Z       Business   transport, strike Reuters,
 * Harbour Wire krakow-festival  2025-06-12T20:00:00Z       Culture    music, festival Harbour Wire
 * zoning-letter    (undated)                  Opinion    housing, planning       Harbour Wire
 *
 * Headlines in folded order: Budget, Écoles, Ferry, Government, Hospital,
 * Kraków, Port, Renters, Storm, Zoning (not the date order).
 *
 * Entities (articles/mentions/quotes): cork place 3/5/0 (ferry, housing,
 * port); declan-moran person 2/3/2 (ferry "Declan Moran"; port "Declan
 * Moran", "Moran"); dublin place 2/3; galway place 2/3; quinlan person 2/3/1
 * (rent-protest "Ms Quinlan" twice, budget-vote "Ms Quinlan": only the
 * surname, so the canonical name is "Quinlan"); limerick place 2/2;
 * marta-quinlan person 1/3/3 (housing-plan, alias "Quinlan"); france place
 * 1/3 (alias "French"); housing-finance-agency organisation 1/3 (alias
 * "HFA"); ines-delgado, krakow (written "Kraków"), lisbon, port-of-cork,
 * portugal (alias "Portuguese"): 1/2; anna-kowalska, belgium, ciaran-walsh,
 * dail (organisation), dublin-tenants-union (organisation), kildare-street,
 * liam-hegarty, niall-brennan, ringaskiddy: 1/1. 23 entities: 8 people, 12
 * places, 3 organisations.
 *
 * Quotes in list order (articles newest first, then reading order):
 * port-expansion Declan Moran; hospital-waits Niall Brennan; storm-galway
 * Ciarán Walsh; rent-protest Liam Hegarty, Quinlan; housing-plan Marta
 * Quinlan x3; ecoles-lisbon Inés Delgado; ferry-strike Declan Moran, "the
 * operator" (no entity); krakow-festival Anna Kowalska. 12 quotes. */
#include "tests/support/harness.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKEN "find-write-token"
#define ALL_NEWEST                                                                                 \
    "port-expansion,hospital-waits,storm-galway,budget-vote,rent-protest,housing-plan,"            \
    "ecoles-lisbon,ferry-strike,krakow-festival,zoning-letter"
#define ALL_OLDEST                                                                                 \
    "krakow-festival,ferry-strike,ecoles-lisbon,housing-plan,budget-vote,rent-protest,"            \
    "storm-galway,hospital-waits,port-expansion,zoning-letter"
#define ALL_HEADLINE                                                                               \
    "budget-vote,ecoles-lisbon,ferry-strike,housing-plan,hospital-waits,krakow-festival,"          \
    "port-expansion,rent-protest,storm-galway,zoning-letter"

static struct harness h;
static char dir[64];

static void
with_token(struct config *cfg)
{
    snprintf(cfg->write_token, sizeof cfg->write_token, "%s", TOKEN);
}

static void
start(void)
{
    snprintf(dir, sizeof dir, "/tmp/articled-find-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp tests/fixtures/find/*.txt '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    harness_start(&h, dir, with_token);
}

static void
stop(void)
{
    if (h.svc)
        harness_stop(&h);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(find, .init = start, .fini = stop, .timeout = 60);

/* ---- helpers ---- */

/* The member k of o, failing the test when it is missing. */
static cJSON *
member(const cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert_not_null(v, "no member %s", k);
    return v;
}

static const char *
str_of(const cJSON *o, const char *k)
{
    cJSON *v = member(o, k);
    cr_assert(cJSON_IsString(v), "member %s is not a string", k);
    return v->valuestring;
}

static int
int_of(const cJSON *o, const char *k)
{
    cJSON *v = member(o, k);
    cr_assert(cJSON_IsNumber(v), "member %s is not a number", k);
    return v->valueint;
}

/* GET path, which must answer 200 with JSON; the reply stays in *keep when
 * keep is not NULL (caller frees). Caller deletes the JSON. */
static cJSON *
get_json(const char *path, struct http_reply *keep)
{
    struct http_reply r;
    http_call(&h, "GET", path, NULL, NULL, &r);
    cr_assert_eq(r.status, 200, "GET %s: %ld %s", path, r.status, r.body);
    cJSON *j = http_json(&r);
    if (keep)
        *keep = r;
    else
        http_reply_free(&r);
    return j;
}

/* The values of member key of each element of arr, joined with commas. */
static void
join_members(const cJSON *arr, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    size_t len = 0;
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
        const char *v = str_of(it, key);
        int n = snprintf(out + len, cap - len, "%s%s", len ? "," : "", v);
        cr_assert(n >= 0 && (size_t)n < cap - len, "ids overflow");
        len += (size_t)n;
    }
}

static void
assert_ids(const char *what, const cJSON *items, const char *want)
{
    char got[2048];
    join_members(items, "id", got, sizeof got);
    cr_assert_str_eq(got, want, "%s:\n got  %s\n want %s", what, got, want);
}

/* GET path: 200, `total` and X-Total-Count are total, the items' ids are ids. */
static void
expect_list(const char *path, int total, const char *ids)
{
    struct http_reply r;
    cJSON *j = get_json(path, &r);
    cr_assert_eq(int_of(j, "total"), total, "GET %s: total %d, want %d", path, int_of(j, "total"),
                 total);
    char want[16];
    snprintf(want, sizeof want, "%d", total);
    http_expect_header(&r, "X-Total-Count", want);
    assert_ids(path, member(j, "items"), ids);
    cJSON_Delete(j);
    http_reply_free(&r);
}

/* GET path answers a 400 problem with code, naming a parameter in field
 * ("a|b": either one). */
static void
expect_problem(const char *path, long status, const char *code, const char *field)
{
    struct http_reply r;
    http_call(&h, "GET", path, NULL, NULL, &r);
    cr_assert_eq(r.status, status, "GET %s: status %ld, want %ld: %s", path, r.status, status,
                 r.body);
    http_expect_header(&r, "Content-Type", "application/problem+json");
    cJSON *j = http_json(&r);
    cr_assert_str_eq(str_of(j, "code"), code, "GET %s: %s", path, r.body);
    char type[96];
    snprintf(type, sizeof type, "urn:articled:problem:%s", code);
    cr_assert_str_eq(str_of(j, "type"), type);
    cr_assert(str_of(j, "detail")[0]);
    if (field) {
        const char *f = str_of(j, "field");
        char alts[64];
        snprintf(alts, sizeof alts, "|%s|", field);
        char mine[64];
        snprintf(mine, sizeof mine, "|%s|", f);
        cr_assert(strstr(alts, mine), "GET %s: field `%s`, want %s", path, f, field);
    }
    cJSON_Delete(j);
    http_reply_free(&r);
}

struct list_case {
    const char *path;
    int total;
    const char *ids;
};

static void
run_list_cases(const struct list_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_list(cases[i].path, cases[i].total, cases[i].ids);
}

#define RUN(cases) run_list_cases(cases, sizeof cases / sizeof *cases)

/* ---- sorts ---- */

Test(find, lists_newest_first_with_ties_by_id_and_the_undated_article_last)
{
    expect_list("/v1/articles", 10, ALL_NEWEST);
    expect_list("/v1/articles?sort=-published", 10, ALL_NEWEST);
}

Test(find, sorts_oldest_first_with_the_undated_article_still_last)
{
    expect_list("/v1/articles?sort=published", 10, ALL_OLDEST);
}

Test(find, sorts_by_headline_folded_so_ecoles_comes_after_budget)
{
    expect_list("/v1/articles?sort=headline", 10, ALL_HEADLINE);
}

/* ---- filters ---- */

Test(find, filters_by_section_tag_and_source_ignoring_case)
{
    static const struct list_case cases[] = {
        {"/v1/articles?section=politics", 3, "budget-vote,rent-protest,housing-plan"},
        {"/v1/articles?section=POLITICS", 3, "budget-vote,rent-protest,housing-plan"},
        {"/v1/articles?section=business", 2, "port-expansion,ferry-strike"},
        {"/v1/articles?section=opinion", 1, "zoning-letter"},
        {"/v1/articles?section=polit", 0, ""},
        {"/v1/articles?tag=housing", 3, "rent-protest,housing-plan,zoning-letter"},
        {"/v1/articles?tag=TRANSPORT", 2, "port-expansion,ferry-strike"},
        {"/v1/articles?tag=budget", 2, "budget-vote,housing-plan"},
        {"/v1/articles?tag=hous", 0, ""},
        {"/v1/articles?source=reuters", 5,
         "port-expansion,storm-galway,rent-protest,housing-plan,ferry-strike"},
        {"/v1/articles?source=Harbour%20Wire", 7,
         "hospital-waits,storm-galway,budget-vote,rent-protest,ferry-strike,krakow-festival,"
         "zoning-letter"},
        {"/v1/articles?source=agence+france-presse", 1, "ecoles-lisbon"},
        {"/v1/articles?source=Harbour", 0, ""},
    };
    RUN(cases);
}

Test(find, filters_by_entity_id)
{
    static const struct list_case cases[] = {
        {"/v1/articles?entity=cork", 3, "port-expansion,housing-plan,ferry-strike"},
        {"/v1/articles?entity=quinlan", 2, "budget-vote,rent-protest"},
        {"/v1/articles?entity=marta-quinlan", 1, "housing-plan"},
        {"/v1/articles?entity=declan-moran", 2, "port-expansion,ferry-strike"},
        {"/v1/articles?entity=krakow", 1, "krakow-festival"},
        {"/v1/articles?entity=nobody-at-all", 0, ""},
    };
    RUN(cases);
}

Test(find, filters_by_person_place_and_org_through_names_and_aliases)
{
    static const struct list_case cases[] = {
        /* "Quinlan" is the canonical name of one person and an alias of another. */
        {"/v1/articles?person=Quinlan", 3, "budget-vote,rent-protest,housing-plan"},
        {"/v1/articles?person=marta%20quinlan", 1, "housing-plan"},
        {"/v1/articles?person=MORAN", 2, "port-expansion,ferry-strike"},
        {"/v1/articles?person=ines+delgado", 1, "ecoles-lisbon"},
        {"/v1/articles?person=In%C3%A9s%20Delgado", 1, "ecoles-lisbon"},
        {"/v1/articles?person=delgado", 1, "ecoles-lisbon"},
        {"/v1/articles?person=Quin", 0, ""},
        {"/v1/articles?person=Cork", 0, ""}, /* a place, not a person */
        {"/v1/articles?place=cork", 3, "port-expansion,housing-plan,ferry-strike"},
        {"/v1/articles?place=Krak%C3%B3w", 1, "krakow-festival"},
        {"/v1/articles?place=krakow", 1, "krakow-festival"},
        {"/v1/articles?place=galway", 2, "storm-galway,zoning-letter"},
        {"/v1/articles?place=Portuguese", 1, "ecoles-lisbon"},
        {"/v1/articles?place=Quinlan", 0, ""},
        {"/v1/articles?org=HFA", 1, "housing-plan"},
        {"/v1/articles?org=housing%20finance%20agency", 1, "housing-plan"},
        {"/v1/articles?org=dail", 1, "rent-protest"},
        {"/v1/articles?org=Cork", 0, ""},
    };
    RUN(cases);
}

Test(find, filters_by_speaker_id_or_name_including_speakers_without_an_entity)
{
    static const struct list_case cases[] = {
        {"/v1/articles?speaker=declan-moran", 2, "port-expansion,ferry-strike"},
        {"/v1/articles?speaker=moran", 2, "port-expansion,ferry-strike"},
        /* budget-vote mentions Ms Quinlan but does not quote her. */
        {"/v1/articles?speaker=Quinlan", 2, "rent-protest,housing-plan"},
        {"/v1/articles?speaker=marta-quinlan", 1, "housing-plan"},
        {"/v1/articles?speaker=Ciar%C3%A1n%20Walsh", 1, "storm-galway"},
        {"/v1/articles?speaker=ciaran+walsh", 1, "storm-galway"},
        {"/v1/articles?speaker=the%20operator", 1, "ferry-strike"},
        {"/v1/articles?speaker=cork", 0, ""},
    };
    RUN(cases);
}

Test(find, filters_by_inclusive_dates_and_leaves_out_the_undated_article)
{
    static const struct list_case cases[] = {
        {"/v1/articles?from=2025-01-01", 9,
         "port-expansion,hospital-waits,storm-galway,budget-vote,rent-protest,housing-plan,"
         "ecoles-lisbon,ferry-strike,krakow-festival"},
        {"/v1/articles?from=2025-11-01", 3, "port-expansion,hospital-waits,storm-galway"},
        /* A date-only `to` runs through the end of that day: 23:30 is in. */
        {"/v1/articles?to=2025-11-30", 8,
         "hospital-waits,storm-galway,budget-vote,rent-protest,housing-plan,ecoles-lisbon,"
         "ferry-strike,krakow-festival"},
        {"/v1/articles?from=2025-11-30&to=2025-11-30", 1, "hospital-waits"},
        {"/v1/articles?to=2025-11-30T23:00:00Z", 7,
         "storm-galway,budget-vote,rent-protest,housing-plan,ecoles-lisbon,ferry-strike,"
         "krakow-festival"},
        {"/v1/articles?from=2025-12-01", 1, "port-expansion"},
        {"/v1/articles?from=2025-12-01T00:00:01Z", 0, ""},
        {"/v1/articles?from=2025-10-14T18:30:00Z&to=2025-10-14T18:30:00Z", 2,
         "budget-vote,rent-protest"},
        {"/v1/articles?from=2025-08-20&to=2025-08-20", 1, "ecoles-lisbon"},
        /* 06:15+01:00 is 05:15Z: both spellings are the same instant. */
        {"/v1/articles?from=2025-11-03T05:15:00Z&to=2025-11-03T05:15:00Z", 1, "storm-galway"},
        {"/v1/articles?from=2025-11-03T06:15:00%2B01:00&to=2025-11-03T06:15:00%2B01:00", 1,
         "storm-galway"},
        {"/v1/articles?to=2025-06-12", 1, "krakow-festival"},
        {"/v1/articles?to=2025-06-11", 0, ""},
        {"/v1/articles?from=2024-01-01&sort=published", 9,
         "krakow-festival,ferry-strike,ecoles-lisbon,housing-plan,budget-vote,rent-protest,"
         "storm-galway,hospital-waits,port-expansion"},
    };
    RUN(cases);
}

Test(find, combines_filters_with_and)
{
    static const struct list_case cases[] = {
        {"/v1/articles?section=politics&tag=budget", 2, "budget-vote,housing-plan"},
        {"/v1/articles?source=harbour+wire&place=cork", 1, "ferry-strike"},
        {"/v1/articles?person=quinlan&source=reuters", 2, "rent-protest,housing-plan"},
        {"/v1/articles?tag=housing&from=2025-01-01", 2, "rent-protest,housing-plan"},
        {"/v1/articles?entity=cork&speaker=declan-moran&to=2025-11-30", 1, "ferry-strike"},
        {"/v1/articles?section=politics&tag=protest&source=reuters&person=quinlan&org=dail", 1,
         "rent-protest"},
        {"/v1/articles?section=politics&place=galway", 0, ""},
        {"/v1/articles?q=plan&section=politics", 2, "housing-plan,budget-vote"},
    };
    RUN(cases);
}

/* ---- full text ---- */

Test(find, searches_with_q_and_sorts_by_relevance_or_by_request)
{
    /* "plan": the headlines of housing-plan and port-expansion, "housing plan" in
     * budget-vote, "planning" (the same stem) in zoning-letter. */
    expect_list("/v1/articles?q=plan&sort=published", 4,
                "housing-plan,budget-vote,port-expansion,zoning-letter");
    expect_list("/v1/articles?q=plan&sort=-published", 4,
                "port-expansion,budget-vote,housing-plan,zoning-letter");
    expect_list("/v1/articles?q=plan&sort=headline", 4,
                "budget-vote,housing-plan,port-expansion,zoning-letter");
    expect_list("/v1/articles?q=freeze", 1, "rent-protest");
    expect_list("/v1/articles?q=zeppelin", 0, "");

    /* Default with q: relevance, scores descending, each item with score and snippets. */
    cJSON *byrel = get_json("/v1/articles?q=plan", NULL);
    cJSON *explicit = get_json("/v1/articles?q=plan&sort=relevance", NULL);
    char a[512], b[512];
    join_members(member(byrel, "items"), "id", a, sizeof a);
    join_members(member(explicit, "items"), "id", b, sizeof b);
    cr_assert_str_eq(a, b, "default order with q is relevance");
    double last = 1e300;
    for (cJSON *it = member(byrel, "items")->child; it; it = it->next) {
        double s = member(it, "score")->valuedouble;
        cr_assert(s > 0 && s <= last, "scores descend: %s", a);
        last = s;
        cr_assert(cJSON_IsArray(member(it, "snippets")));
    }
    cr_assert_eq(cJSON_GetArraySize(member(byrel, "items")), 4);
    cJSON_Delete(byrel);
    cJSON_Delete(explicit);
}

/* ---- fields ---- */

/* The member names of o, joined with commas. */
static void
keys_of(const cJSON *o, char *out, size_t cap)
{
    out[0] = '\0';
    size_t len = 0;
    for (const cJSON *m = o->child; m; m = m->next) {
        int n = snprintf(out + len, cap - len, "%s%s", len ? "," : "", m->string);
        cr_assert(n >= 0 && (size_t)n < cap - len);
        len += (size_t)n;
    }
}

static void
expect_item_keys(const char *path, const char *want)
{
    cJSON *j = get_json(path, NULL);
    cJSON *items = member(j, "items");
    cr_assert(cJSON_GetArraySize(items) > 0, "GET %s: no items", path);
    for (cJSON *it = items->child; it; it = it->next) {
        char got[512];
        keys_of(it, got, sizeof got);
        cr_assert_str_eq(got, want, "GET %s:\n got  %s\n want %s", path, got, want);
    }
    cJSON_Delete(j);
}

Test(find, items_carry_every_summary_field_without_fields)
{
    expect_item_keys("/v1/articles", "id,slug,headline,standfirst,published,updated,section,tags,"
                                     "byline,source,url,word_count,reading_time_minutes,links");
    expect_item_keys("/v1/articles?q=plan",
                     "id,slug,headline,standfirst,published,updated,section,tags,byline,source,"
                     "url,word_count,reading_time_minutes,links,score,snippets");

    cJSON *j = get_json("/v1/articles?entity=marta-quinlan", NULL);
    cJSON *it = cJSON_GetArrayItem(member(j, "items"), 0);
    cr_assert_str_eq(str_of(it, "id"), "housing-plan");
    cr_assert_str_eq(str_of(it, "slug"), "government-unveils-housing-plan-for-dublin-and-cork");
    cr_assert_str_eq(str_of(it, "headline"), "Government unveils housing plan for Dublin and Cork");
    cr_assert_str_eq(
        str_of(it, "standfirst"),
        "Ministers promise twenty thousand affordable homes by the end of the decade.");
    cr_assert_str_eq(str_of(it, "published"), "2025-09-02T09:00:00Z");
    cr_assert(cJSON_IsNull(member(it, "updated")));
    cr_assert_str_eq(str_of(it, "section"), "Politics");
    cr_assert_eq(cJSON_GetArraySize(member(it, "tags")), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(member(it, "tags"), 0)->valuestring, "housing");
    cr_assert_str_eq(cJSON_GetArrayItem(member(it, "tags"), 1)->valuestring, "budget");
    cr_assert_str_eq(str_of(it, "byline"), "Orla Keating");
    cr_assert_eq(cJSON_GetArraySize(member(it, "source")), 1);
    cr_assert_str_eq(cJSON_GetArrayItem(member(it, "source"), 0)->valuestring, "Reuters");
    cr_assert(cJSON_IsNull(member(it, "url")));
    cr_assert_eq(int_of(it, "reading_time_minutes"), 1);
    cr_assert_str_eq(str_of(member(it, "links"), "self"), "/v1/articles/housing-plan");
    cJSON_Delete(j);

    j = get_json("/v1/articles?section=opinion", NULL);
    it = cJSON_GetArrayItem(member(j, "items"), 0);
    cr_assert(cJSON_IsNull(member(it, "published")), "zoning-letter is undated");
    cr_assert(cJSON_IsNull(member(it, "byline")));
    cJSON_Delete(j);
}

Test(find, fields_selects_members_in_canonical_order_with_id_always)
{
    expect_item_keys("/v1/articles?fields=headline", "id,headline");
    expect_item_keys("/v1/articles?fields=published,headline,id", "id,headline,published");
    expect_item_keys("/v1/articles?fields=links,tags,slug", "id,slug,tags,links");
    expect_item_keys("/v1/articles?fields=reading_time_minutes,word_count,url,source,byline",
                     "id,byline,source,url,word_count,reading_time_minutes");
    expect_item_keys("/v1/articles?fields=section,updated,standfirst",
                     "id,standfirst,updated,section");
    expect_item_keys("/v1/articles?fields=id", "id");
    /* score and snippets only for a search; asking without q is no error. */
    expect_item_keys("/v1/articles?fields=score,snippets", "id");
    expect_item_keys("/v1/articles?fields=snippets,score,headline", "id,headline");
    expect_item_keys("/v1/articles?q=plan&fields=snippets,score,headline",
                     "id,headline,score,snippets");
    expect_item_keys("/v1/articles?q=plan&fields=score", "id,score");
}

Test(find, refuses_unknown_or_empty_field_names)
{
    expect_problem("/v1/articles?fields=headline,bogus", 400, "invalid-parameter", "fields");
    expect_problem("/v1/articles?fields=", 400, "invalid-parameter", "fields");
    expect_problem("/v1/articles?fields=id,,headline", 400, "invalid-parameter", "fields");
    expect_problem("/v1/articles?fields=Headline", 400, "invalid-parameter", "fields");
    expect_problem("/v1/articles?fields=body", 400, "invalid-parameter", "fields");
}

/* ---- page mode ---- */

Test(find, pages_carry_totals_the_total_header_and_links)
{
    struct http_reply r;
    cJSON *j = get_json("/v1/articles?per_page=3&page=2", &r);
    assert_ids("page 2", member(j, "items"), "budget-vote,rent-protest,housing-plan");
    cr_assert_eq(int_of(j, "total"), 10);
    cr_assert_eq(int_of(j, "page"), 2);
    cr_assert_eq(int_of(j, "per_page"), 3);
    cr_assert_eq(int_of(j, "pages"), 4);
    http_expect_header(&r, "X-Total-Count", "10");
    http_expect_header(&r, "Link",
                  "</v1/articles?page=1&per_page=3>; rel=\"first\", "
                  "</v1/articles?page=1&per_page=3>; rel=\"prev\", "
                  "</v1/articles?page=3&per_page=3>; rel=\"next\", "
                  "</v1/articles?page=4&per_page=3>; rel=\"last\"");
    cJSON *links = member(j, "links");
    cr_assert_str_eq(str_of(links, "self"), "/v1/articles?page=2&per_page=3");
    cr_assert_str_eq(str_of(links, "first"), "/v1/articles?page=1&per_page=3");
    cr_assert_str_eq(str_of(links, "prev"), "/v1/articles?page=1&per_page=3");
    cr_assert_str_eq(str_of(links, "next"), "/v1/articles?page=3&per_page=3");
    cr_assert_str_eq(str_of(links, "last"), "/v1/articles?page=4&per_page=3");
    cr_assert(cJSON_IsString(member(j, "next_cursor")));
    cr_assert(cJSON_IsString(member(j, "prev_cursor")));
    cJSON_Delete(j);
    http_reply_free(&r);

    j = get_json("/v1/articles?per_page=3", &r);
    assert_ids("page 1", member(j, "items"), "port-expansion,hospital-waits,storm-galway");
    cr_assert(cJSON_IsNull(member(j, "prev_cursor")), "no prev_cursor on page 1");
    cr_assert(cJSON_IsString(member(j, "next_cursor")));
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(member(j, "links"), "prev"));
    cJSON_Delete(j);
    http_reply_free(&r);

    j = get_json("/v1/articles?per_page=3&page=4", &r);
    assert_ids("page 4", member(j, "items"), "zoning-letter");
    cr_assert(cJSON_IsNull(member(j, "next_cursor")), "no next_cursor on the last page");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(member(j, "links"), "next"));
    http_expect_header(&r, "X-Total-Count", "10");
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(find, links_keep_every_filter_in_canonical_order)
{
    struct http_reply r;
    cJSON *j = get_json("/v1/articles?per_page=1&fields=headline&sort=published&page=2"
                        "&section=politics",
                        &r);
    assert_ids("politics oldest first, page 2", member(j, "items"), "budget-vote");
    cr_assert_eq(int_of(j, "total"), 3);
    cJSON *links = member(j, "links");
    cr_assert_str_eq(
        str_of(links, "self"),
        "/v1/articles?section=politics&sort=published&fields=headline&page=2&per_page=1");
    cr_assert_str_eq(
        str_of(links, "first"),
        "/v1/articles?section=politics&sort=published&fields=headline&page=1&per_page=1");
    cr_assert_str_eq(
        str_of(links, "prev"),
        "/v1/articles?section=politics&sort=published&fields=headline&page=1&per_page=1");
    cr_assert_str_eq(
        str_of(links, "next"),
        "/v1/articles?section=politics&sort=published&fields=headline&page=3&per_page=1");
    cr_assert_str_eq(
        str_of(links, "last"),
        "/v1/articles?section=politics&sort=published&fields=headline&page=3&per_page=1");
    http_expect_header(&r, "X-Total-Count", "3");
    cJSON_Delete(j);
    http_reply_free(&r);

    j = get_json("/v1/articles?to=2025-12-31&from=2025-01-01&tag=budget&entity=cork&per_page=1",
                 NULL);
    assert_ids("housing-plan", member(j, "items"), "housing-plan");
    cr_assert_str_eq(str_of(member(j, "links"), "self"),
                     "/v1/articles?entity=cork&tag=budget&from=2025-01-01&to=2025-12-31&page=1"
                     "&per_page=1");
    cJSON_Delete(j);
}

/* ---- cursor mode ---- */

/* Walks the list in order sort (a "sort=...&" prefix, or "") by next_cursor,
 * per_page items a page, and checks that it meets want: every item once, in
 * order, and the cursor mode's body on every page after the first. */
static void
walk_by_cursor(const char *sort, int per_page, const char *want)
{
    char got[2048] = "";
    size_t len = 0;
    char path[1024];
    snprintf(path, sizeof path, "/v1/articles?%sper_page=%d", sort, per_page);
    int pages = 0;
    for (;;) {
        cJSON *j = get_json(path, NULL);
        cJSON *items = member(j, "items");
        int n = cJSON_GetArraySize(items);
        cr_assert(n >= 1 && n <= per_page, "%s: %d items", path, n);
        cr_assert_eq(int_of(j, "total"), 10, "%s: total", path);
        if (pages > 0) {
            cr_assert_null(cJSON_GetObjectItemCaseSensitive(j, "page"), "no page in cursor mode");
            cr_assert_null(cJSON_GetObjectItemCaseSensitive(j, "pages"), "no pages in cursor mode");
            cr_assert_null(cJSON_GetObjectItemCaseSensitive(member(j, "links"), "last"));
            cr_assert(cJSON_IsString(member(j, "prev_cursor")), "%s: prev_cursor", path);
        }
        char ids[512];
        join_members(items, "id", ids, sizeof ids);
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", len ? "," : "", ids);
        cJSON *next = member(j, "next_cursor");
        pages++;
        cr_assert(pages <= 10, "sort %s: the walk does not end", sort);
        if (cJSON_IsNull(next)) {
            cr_assert_null(cJSON_GetObjectItemCaseSensitive(member(j, "links"), "next"));
            cJSON_Delete(j);
            break;
        }
        cr_assert(cJSON_IsString(next));
        snprintf(path, sizeof path, "/v1/articles?%scursor=%s&per_page=%d", sort, next->valuestring,
                 per_page);
        if (pages > 1) /* in cursor mode, links.next carries the cursor */
            cr_assert_str_eq(str_of(member(j, "links"), "next"), path, "links.next");
        cJSON_Delete(j);
    }
    cr_assert_str_eq(got, want, "walk in sort %s:\n got  %s\n want %s", sort, got, want);
    cr_assert_eq(pages, (10 + per_page - 1) / per_page, "sort %s: %d pages", sort, pages);
}

Test(find, a_cursor_walk_meets_every_item_once_in_order_in_every_sort)
{
    walk_by_cursor("", 3, ALL_NEWEST);
    walk_by_cursor("sort=-published&", 4, ALL_NEWEST);
    walk_by_cursor("sort=published&", 3, ALL_OLDEST);
    walk_by_cursor("sort=headline&", 3, ALL_HEADLINE);
    /* One item a page: cursors between the tied budget-vote and rent-protest, and
     * next to the undated zoning-letter. */
    walk_by_cursor("", 1, ALL_NEWEST);
    walk_by_cursor("sort=published&", 1, ALL_OLDEST);
    walk_by_cursor("sort=headline&", 1, ALL_HEADLINE);
}

Test(find, cursor_links_carry_the_cursor_and_first_drops_it)
{
    cJSON *p1 = get_json("/v1/articles?section=politics&per_page=1", NULL);
    const char *c = str_of(p1, "next_cursor");
    char path[512];
    snprintf(path, sizeof path, "/v1/articles?section=politics&cursor=%s&per_page=1", c);
    struct http_reply r;
    cJSON *p2 = get_json(path, &r);
    assert_ids("politics, after budget-vote", member(p2, "items"), "rent-protest");
    cJSON *links = member(p2, "links");
    cr_assert_str_eq(str_of(links, "first"), "/v1/articles?section=politics&per_page=1");
    char want[512];
    snprintf(want, sizeof want, "/v1/articles?section=politics&cursor=%s&per_page=1",
             str_of(p2, "next_cursor"));
    cr_assert_str_eq(str_of(links, "next"), want);
    snprintf(want, sizeof want, "/v1/articles?section=politics&cursor=%s&per_page=1",
             str_of(p2, "prev_cursor"));
    cr_assert_str_eq(str_of(links, "prev"), want);
    http_expect_header(&r, "X-Total-Count", "3");
    char *link = http_header(&r, "Link");
    cr_assert_not_null(link);
    cr_assert(strstr(link, "</v1/articles?section=politics&per_page=1>; rel=\"first\""), "%s",
              link);
    cr_assert(strstr(link, "rel=\"next\"") && strstr(link, "rel=\"prev\""), "%s", link);
    cr_assert_null(strstr(link, "rel=\"last\""), "%s", link);
    free(link);
    cJSON_Delete(p1);
    cJSON_Delete(p2);
    http_reply_free(&r);
}

Test(find, prev_cursor_goes_back_one_page)
{
    cJSON *p1 = get_json("/v1/articles?per_page=3", NULL);
    char path[512];
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", str_of(p1, "next_cursor"));
    cJSON *p2 = get_json(path, NULL);
    assert_ids("page 2 by cursor", member(p2, "items"), "budget-vote,rent-protest,housing-plan");
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", str_of(p2, "next_cursor"));
    cJSON *p3 = get_json(path, NULL);
    assert_ids("page 3 by cursor", member(p3, "items"),
               "ecoles-lisbon,ferry-strike,krakow-festival");
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", str_of(p3, "prev_cursor"));
    cJSON *back = get_json(path, NULL);
    assert_ids("back from page 3", member(back, "items"), "budget-vote,rent-protest,housing-plan");
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", str_of(back, "prev_cursor"));
    cJSON *back1 = get_json(path, NULL);
    assert_ids("back to page 1", member(back1, "items"),
               "port-expansion,hospital-waits,storm-galway");
    cJSON_Delete(p1);
    cJSON_Delete(p2);
    cJSON_Delete(p3);
    cJSON_Delete(back);
    cJSON_Delete(back1);
}

Test(find, page_mode_next_cursor_continues_after_the_page)
{
    cJSON *p2 = get_json("/v1/articles?sort=headline&per_page=3&page=2", NULL);
    assert_ids("headline page 2", member(p2, "items"),
               "housing-plan,hospital-waits,krakow-festival");
    char path[512];
    snprintf(path, sizeof path, "/v1/articles?sort=headline&cursor=%s&per_page=3",
             str_of(p2, "next_cursor"));
    cJSON *p3 = get_json(path, NULL);
    assert_ids("after page 2", member(p3, "items"), "port-expansion,rent-protest,storm-galway");
    snprintf(path, sizeof path, "/v1/articles?sort=headline&cursor=%s&per_page=3",
             str_of(p2, "prev_cursor"));
    cJSON *p1 = get_json(path, NULL);
    assert_ids("before page 2", member(p1, "items"), "budget-vote,ecoles-lisbon,ferry-strike");
    cJSON_Delete(p1);
    cJSON_Delete(p2);
    cJSON_Delete(p3);
}

static void
write_call(const char *method, const char *path, const char *body, long want)
{
    const char *const hdr[] = {"Authorization: Bearer " TOKEN, "Content-Type: application/json",
                               NULL};
    struct http_reply r;
    http_call(&h, method, path, body, hdr, &r);
    cr_assert_eq(r.status, want, "%s %s: %ld %s", method, path, r.status, r.body);
    http_reply_free(&r);
}

/* An article written by the tests: the newest of all, with a word found
 * nowhere else ("zeppelin"), Marta Quinlan quoted, and a person who is in no
 * other article (Oskar Lindqvist). */
static const char new_article[] =
    "{\"id\":\"airship-trial\",\"headline\":\"Cargo zeppelin makes first trial flight\","
    "\"published\":\"2026-01-10T12:00:00Z\",\"section\":\"Science\",\"tags\":[\"aviation\"],"
    "\"source\":[\"Harbour Wire\"],\"body\":["
    "{\"type\":\"paragraph\",\"text\":\"A cargo zeppelin completed its first trial flight over "
    "the estuary near Limerick on Saturday, watched by Marta Quinlan and engineers from the "
    "builder.\"},"
    "{\"type\":\"paragraph\",\"text\":\"\u201cIt is quiet, it is slow, and it carries more than "
    "a lorry,\u201d said Oskar Lindqvist, the chief pilot.\"},"
    "{\"type\":\"paragraph\",\"text\":\"\u201cWe will be watching the costs closely,\u201d "
    "Quinlan said.\"}]}";

Test(find, a_cursor_survives_a_write_before_it_and_a_delete_after_it)
{
    cJSON *p1 = get_json("/v1/articles?per_page=3", NULL);
    assert_ids("page 1", member(p1, "items"), "port-expansion,hospital-waits,storm-galway");
    char next[512];
    snprintf(next, sizeof next, "%s", str_of(p1, "next_cursor"));
    cJSON_Delete(p1);

    /* A new article sorts first (before the cursor); one further on goes. */
    write_call("POST", "/v1/articles", new_article, 201);
    write_call("DELETE", "/v1/articles/ecoles-lisbon", NULL, 204);

    char path[600];
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", next);
    cJSON *p2 = get_json(path, NULL);
    assert_ids("page 2 after the writes", member(p2, "items"),
               "budget-vote,rent-protest,housing-plan");
    cr_assert_eq(int_of(p2, "total"), 10, "one added, one deleted");
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", str_of(p2, "next_cursor"));
    cJSON *p3 = get_json(path, NULL);
    assert_ids("page 3 after the writes", member(p3, "items"),
               "ferry-strike,krakow-festival,zoning-letter");
    cr_assert(cJSON_IsNull(member(p3, "next_cursor")), "the last page");
    /* Back from page 2: the three items just before budget-vote. */
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=3", str_of(p2, "prev_cursor"));
    cJSON *back = get_json(path, NULL);
    assert_ids("back from page 2", member(back, "items"),
               "port-expansion,hospital-waits,storm-galway");
    cJSON_Delete(p2);
    cJSON_Delete(p3);
    cJSON_Delete(back);
    /* Offsets shifted; the page list shows the new order. */
    expect_list("/v1/articles?per_page=3&page=2", 10, "storm-galway,budget-vote,rent-protest");
}

/* ---- bad values ---- */

Test(find, refuses_bad_values_with_a_problem_naming_the_parameter)
{
    static const struct {
        const char *path, *code, *field;
    } cases[] = {
        {"/v1/articles?sort=date", "invalid-parameter", "sort"},
        {"/v1/articles?sort=", "invalid-parameter", "sort"},
        {"/v1/articles?sort=Headline", "invalid-parameter", "sort"},
        {"/v1/articles?sort=relevance", "invalid-parameter", "sort"},
        {"/v1/articles?sort=relevance&section=politics", "invalid-parameter", "sort"},
        {"/v1/articles?from=2025-13-01", "invalid-parameter", "from"},
        {"/v1/articles?from=2025-02-30", "invalid-parameter", "from"},
        {"/v1/articles?from=yesterday", "invalid-parameter", "from"},
        {"/v1/articles?from=", "invalid-parameter", "from"},
        {"/v1/articles?to=2025-11-30T25:00:00Z", "invalid-parameter", "to"},
        {"/v1/articles?to=30/11/2025", "invalid-parameter", "to"},
        {"/v1/articles?from=2025-12-01&to=2025-11-01", "invalid-parameter", "from|to"},
        {"/v1/articles?from=2025-11-30T23:30:01Z&to=2025-11-30T23:30:00Z", "invalid-parameter",
         "from|to"},
        {"/v1/articles?cursor=zzzz&page=2", "invalid-parameter", "cursor|page"},
        {"/v1/articles?cursor=zzzz", "invalid-parameter", "cursor"},
        {"/v1/articles?cursor=", "invalid-parameter", "cursor"},
        {"/v1/articles?cursor=%25%25%25", "invalid-parameter", "cursor"},
        {"/v1/articles?author=someone", "unknown-parameter", "author"},
        {"/v1/articles?speakers=quinlan", "unknown-parameter", "speakers"},
        {"/v1/articles?tag=a&tag=b", "duplicate-parameter", "tag"},
        {"/v1/articles?per_page=0", "invalid-parameter", "per_page"},
        {"/v1/articles?q=%22unclosed", "invalid-query", "q"},
        {"/v1/entities?type=people", "invalid-parameter", "type"},
        {"/v1/entities?sort=name", "unknown-parameter", "sort"},
        {"/v1/entities/cork/articles?entity=dublin", "unknown-parameter", "entity"},
        {"/v1/entities/cork/articles?sort=oldest", "invalid-parameter", "sort"},
        {"/v1/quotes?page=0", "invalid-parameter", "page"},
        {"/v1/quotes?cursor=abc", "unknown-parameter", "cursor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_problem(cases[i].path, 400, cases[i].code, cases[i].field);
}

Test(find, refuses_a_cursor_made_for_another_sort)
{
    cJSON *j = get_json("/v1/articles?sort=headline&per_page=2", NULL);
    char path[512];
    snprintf(path, sizeof path, "/v1/articles?cursor=%s&per_page=2", str_of(j, "next_cursor"));
    expect_problem(path, 400, "invalid-parameter", "cursor");
    snprintf(path, sizeof path, "/v1/articles?sort=published&cursor=%s&per_page=2",
             str_of(j, "next_cursor"));
    expect_problem(path, 400, "invalid-parameter", "cursor");
    /* The same cursor with its own sort is fine. */
    snprintf(path, sizeof path, "/v1/articles?sort=headline&cursor=%s&per_page=2",
             str_of(j, "next_cursor"));
    expect_list(path, 10, "ferry-strike,housing-plan");
    cJSON_Delete(j);
}

/* ---- the entity index ---- */

Test(find, lists_entities_by_articles_then_mentions_then_name)
{
    struct http_reply r;
    cJSON *j = get_json("/v1/entities?per_page=14", &r);
    cr_assert_eq(int_of(j, "total"), 23);
    cr_assert_eq(int_of(j, "pages"), 2);
    cr_assert_eq(int_of(j, "page"), 1);
    cr_assert_eq(int_of(j, "per_page"), 14);
    http_expect_header(&r, "X-Total-Count", "23");
    assert_ids("entities", member(j, "items"),
               "cork,declan-moran,dublin,galway,quinlan,limerick,france,housing-finance-agency,"
               "marta-quinlan,ines-delgado,krakow,lisbon,port-of-cork,portugal");
    cJSON_Delete(j);
    http_reply_free(&r);

    j = get_json("/v1/entities?per_page=5&page=2", &r);
    assert_ids("entities page 2", member(j, "items"),
               "limerick,france,housing-finance-agency,marta-quinlan,ines-delgado");
    cr_assert_eq(int_of(j, "pages"), 5);
    cJSON *links = member(j, "links");
    cr_assert_str_eq(str_of(links, "self"), "/v1/entities?page=2&per_page=5");
    cr_assert_str_eq(str_of(links, "first"), "/v1/entities?page=1&per_page=5");
    cr_assert_str_eq(str_of(links, "prev"), "/v1/entities?page=1&per_page=5");
    cr_assert_str_eq(str_of(links, "next"), "/v1/entities?page=3&per_page=5");
    cr_assert_str_eq(str_of(links, "last"), "/v1/entities?page=5&per_page=5");
    http_expect_header(&r, "Link",
                  "</v1/entities?page=1&per_page=5>; rel=\"first\", "
                  "</v1/entities?page=1&per_page=5>; rel=\"prev\", "
                  "</v1/entities?page=3&per_page=5>; rel=\"next\", "
                  "</v1/entities?page=5&per_page=5>; rel=\"last\"");
    cJSON_Delete(j);
    http_reply_free(&r);

    j = get_json("/v1/entities?per_page=5&page=5", NULL);
    cr_assert_eq(cJSON_GetArraySize(member(j, "items")), 3);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(member(j, "links"), "next"));
    cJSON_Delete(j);
}

Test(find, filters_entities_by_type)
{
    static const struct list_case cases[] = {
        {"/v1/entities?type=person", 8,
         "declan-moran,quinlan,marta-quinlan,ines-delgado,anna-kowalska,ciaran-walsh,"
         "liam-hegarty,niall-brennan"},
        {"/v1/entities?type=place", 12,
         "cork,dublin,galway,limerick,france,krakow,lisbon,port-of-cork,portugal,belgium,"
         "kildare-street,ringaskiddy"},
        {"/v1/entities?type=person&per_page=3&page=2", 8,
         "ines-delgado,anna-kowalska,ciaran-walsh"},
    };
    RUN(cases);
    /* Dáil and Dublin Tenants Union tie on everything but the name. */
    cJSON *j = get_json("/v1/entities?type=organisation", NULL);
    cr_assert_eq(int_of(j, "total"), 3);
    cJSON *items = member(j, "items");
    cr_assert_str_eq(str_of(cJSON_GetArrayItem(items, 0), "id"), "housing-finance-agency");
    char ids[256];
    join_members(items, "id", ids, sizeof ids);
    cr_assert(strstr(ids, "dail") && strstr(ids, "dublin-tenants-union"), "%s", ids);
    for (cJSON *it = items->child; it; it = it->next)
        cr_assert_str_eq(str_of(it, "type"), "organisation");
    cJSON_Delete(j);
}

Test(find, autocompletes_entities_by_prefix_of_a_name_alias_or_word)
{
    static const struct list_case cases[] = {
        {"/v1/entities?prefix=krak", 1, "krakow"},
        {"/v1/entities?prefix=Krak%C3%B3", 1, "krakow"}, /* "Krakó", as written */
        {"/v1/entities?prefix=ciar%C3%A1", 1, "ciaran-walsh"},
        {"/v1/entities?prefix=CIARA", 1, "ciaran-walsh"},
        {"/v1/entities?prefix=walsh", 1, "ciaran-walsh"}, /* a later word */
        {"/v1/entities?prefix=quin", 2, "quinlan,marta-quinlan"},
        {"/v1/entities?prefix=hf", 1, "housing-finance-agency"}, /* the alias HFA */
        {"/v1/entities?prefix=fin", 1, "housing-finance-agency"},
        {"/v1/entities?prefix=dub", 2, "dublin,dublin-tenants-union"},
        {"/v1/entities?prefix=d%C3%A1", 1, "dail"},
        {"/v1/entities?prefix=portug", 1, "portugal"},
        {"/v1/entities?prefix=french", 1, "france"}, /* the demonym, an alias */
        {"/v1/entities?prefix=cork", 2, "cork,port-of-cork"},
        {"/v1/entities?prefix=ublin", 0, ""}, /* not at a word start */
        {"/v1/entities?prefix=zz", 0, ""},
        {"/v1/entities?prefix=m&type=person", 2, "declan-moran,marta-quinlan"},
        {"/v1/entities?prefix=l&type=place", 2, "limerick,lisbon"},
    };
    RUN(cases);
}

Test(find, an_entity_has_its_name_aliases_type_and_counts)
{
    static const struct {
        const char *id, *name, *type, *aliases;
        int articles, mentions, quotes;
    } cases[] = {
        {"marta-quinlan", "Marta Quinlan", "person", "Quinlan", 1, 3, 3},
        {"quinlan", "Quinlan", "person", "", 2, 3, 1},
        {"declan-moran", "Declan Moran", "person", "Moran", 2, 3, 2},
        {"ines-delgado", "Inés Delgado", "person", "Delgado", 1, 2, 1},
        {"krakow", "Krakow", "place", "Kraków", 1, 2, 0},
        {"france", "France", "place", "French", 1, 3, 0},
        {"housing-finance-agency", "Housing Finance Agency", "organisation", "HFA", 1, 3, 0},
        {"cork", "Cork", "place", "", 3, 5, 0},
        {"dail", "Dáil", "organisation", "", 1, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/entities/%s", cases[i].id);
        cJSON *e = get_json(path, NULL);
        cr_assert_str_eq(str_of(e, "id"), cases[i].id);
        cr_assert_str_eq(str_of(e, "name"), cases[i].name, "%s", path);
        cr_assert_str_eq(str_of(e, "type"), cases[i].type, "%s", path);
        char aliases[256] = "";
        size_t len = 0;
        for (cJSON *a = member(e, "aliases")->child; a; a = a->next)
            len += (size_t)snprintf(aliases + len, sizeof aliases - len, "%s%s", len ? "," : "",
                                    a->valuestring);
        cr_assert_str_eq(aliases, cases[i].aliases, "%s aliases", path);
        cr_assert_eq(int_of(e, "articles"), cases[i].articles, "%s articles", path);
        cr_assert_eq(int_of(e, "mentions"), cases[i].mentions, "%s mentions", path);
        cr_assert_eq(int_of(e, "quotes"), cases[i].quotes, "%s quotes", path);
        cJSON *links = member(e, "links");
        char want[160];
        snprintf(want, sizeof want, "/v1/entities/%s", cases[i].id);
        cr_assert_str_eq(str_of(links, "self"), want);
        snprintf(want, sizeof want, "/v1/entities/%s/articles", cases[i].id);
        cr_assert_str_eq(str_of(links, "articles"), want);
        char keys[256];
        keys_of(e, keys, sizeof keys);
        cr_assert_str_eq(keys, "id,name,type,aliases,articles,mentions,quotes,links");
        cJSON_Delete(e);
    }
    /* The list carries the same objects. */
    cJSON *list = get_json("/v1/entities?prefix=marta", NULL);
    cJSON *one = get_json("/v1/entities/marta-quinlan", NULL);
    cr_assert(cJSON_Compare(cJSON_GetArrayItem(member(list, "items"), 0), one, true));
    cJSON_Delete(list);
    cJSON_Delete(one);
}

Test(find, answers_404_for_an_unknown_entity)
{
    expect_problem("/v1/entities/nobody-at-all", 404, "entity-not-found", NULL);
    expect_problem("/v1/entities/nobody-at-all/articles", 404, "entity-not-found", NULL);
    expect_problem("/v1/entities/Cork", 404, "entity-not-found", NULL);
}

Test(find, entity_articles_are_the_list_filtered_by_the_entity)
{
    expect_list("/v1/entities/cork/articles", 3, "port-expansion,housing-plan,ferry-strike");
    expect_list("/v1/entities/quinlan/articles", 2, "budget-vote,rent-protest");
    expect_list("/v1/entities/cork/articles?sort=published", 3,
                "ferry-strike,housing-plan,port-expansion");
    expect_list("/v1/entities/cork/articles?source=harbour+wire", 1, "ferry-strike");
    expect_list("/v1/entities/cork/articles?q=union&sort=published", 2,
                "ferry-strike,port-expansion");

    struct http_reply r;
    cJSON *j = get_json("/v1/entities/cork/articles?sort=headline&per_page=2&fields=headline", &r);
    assert_ids("cork by headline", member(j, "items"), "ferry-strike,housing-plan");
    cJSON *links = member(j, "links");
    cr_assert_str_eq(str_of(links, "self"),
                     "/v1/entities/cork/articles?sort=headline&fields=headline&page=1&per_page=2");
    cr_assert_str_eq(str_of(links, "next"),
                     "/v1/entities/cork/articles?sort=headline&fields=headline&page=2&per_page=2");
    cr_assert_str_eq(str_of(links, "last"),
                     "/v1/entities/cork/articles?sort=headline&fields=headline&page=2&per_page=2");
    http_expect_header(&r, "X-Total-Count", "3");
    char *link = http_header(&r, "Link");
    cr_assert(link && strstr(link, "</v1/entities/cork/articles?sort=headline&fields=headline"
                                   "&page=2&per_page=2>; rel=\"next\""),
              "%s", link);
    free(link);
    char path[512];
    snprintf(path, sizeof path, "/v1/entities/cork/articles?sort=headline&cursor=%s&per_page=2",
             str_of(j, "next_cursor"));
    expect_list(path, 3, "port-expansion");
    cJSON_Delete(j);
    http_reply_free(&r);
}

/* ---- the quote index ---- */

/* "article:speaker name" of each quote, joined with commas. */
static void
quote_keys(const cJSON *items, char *out, size_t cap)
{
    out[0] = '\0';
    size_t len = 0;
    for (const cJSON *q = items->child; q; q = q->next) {
        const cJSON *sp = member(q, "speaker");
        const char *name = cJSON_IsNull(sp) ? "-" : str_of(sp, "name");
        int n =
            snprintf(out + len, cap - len, "%s%s:%s", len ? "," : "", str_of(q, "article"), name);
        cr_assert(n >= 0 && (size_t)n < cap - len);
        len += (size_t)n;
    }
}

static void
expect_quotes(const char *path, int total, const char *want)
{
    struct http_reply r;
    cJSON *j = get_json(path, &r);
    cr_assert_eq(int_of(j, "total"), total, "GET %s: total %d, want %d", path, int_of(j, "total"),
                 total);
    char n[16];
    snprintf(n, sizeof n, "%d", total);
    http_expect_header(&r, "X-Total-Count", n);
    char got[2048];
    quote_keys(member(j, "items"), got, sizeof got);
    cr_assert_str_eq(got, want, "GET %s:\n got  %s\n want %s", path, got, want);
    cJSON_Delete(j);
    http_reply_free(&r);
}

Test(find, lists_quotes_newest_article_first_then_in_reading_order)
{
    expect_quotes("/v1/quotes", 12,
                  "port-expansion:Declan Moran,hospital-waits:Niall Brennan,"
                  "storm-galway:Ciarán Walsh,rent-protest:Liam Hegarty,rent-protest:Quinlan,"
                  "housing-plan:Marta Quinlan,housing-plan:Marta Quinlan,"
                  "housing-plan:Marta Quinlan,ecoles-lisbon:Inés Delgado,"
                  "ferry-strike:Declan Moran,ferry-strike:the operator,"
                  "krakow-festival:Anna Kowalska");

    cJSON *j = get_json("/v1/quotes?article=housing-plan", NULL);
    cJSON *q = cJSON_GetArrayItem(member(j, "items"), 0);
    char keys[256];
    keys_of(q, keys, sizeof keys);
    cr_assert_str_eq(keys, "article,headline,published,text,cue,speaker,links");
    cr_assert_str_eq(str_of(q, "article"), "housing-plan");
    cr_assert_str_eq(str_of(q, "headline"), "Government unveils housing plan for Dublin and Cork");
    cr_assert_str_eq(str_of(q, "published"), "2025-09-02T09:00:00Z");
    cr_assert_str_eq(str_of(q, "text"), "\u201cPeople who grew up in these cities should be able "
                                        "to afford to live in them,\u201d");
    cr_assert_str_eq(str_of(q, "cue"), "said");
    cr_assert_str_eq(str_of(member(q, "speaker"), "entity"), "marta-quinlan");
    cr_assert_str_eq(str_of(member(q, "speaker"), "name"), "Marta Quinlan");
    cr_assert_str_eq(str_of(member(q, "links"), "article"), "/v1/articles/housing-plan");
    cr_assert_str_eq(str_of(cJSON_GetArrayItem(member(j, "items"), 1), "cue"), "added");
    cr_assert_str_eq(str_of(cJSON_GetArrayItem(member(j, "items"), 2), "text"),
                     "\u201cWe are not announcing wishes.\u201d");
    cJSON_Delete(j);

    j = get_json("/v1/quotes?speaker=the+operator", NULL);
    q = cJSON_GetArrayItem(member(j, "items"), 0);
    cr_assert(cJSON_IsNull(member(member(q, "speaker"), "entity")), "no entity for the operator");
    cr_assert_str_eq(str_of(q, "text"), "\u201cWe regret the disruption and we are ready to "
                                        "return to talks,\u201d");
    cJSON_Delete(j);
}

Test(find, filters_quotes_by_speaker_article_and_words)
{
    expect_quotes("/v1/quotes?speaker=declan-moran", 2,
                  "port-expansion:Declan Moran,ferry-strike:Declan Moran");
    expect_quotes("/v1/quotes?speaker=MORAN", 2,
                  "port-expansion:Declan Moran,ferry-strike:Declan Moran");
    expect_quotes("/v1/quotes?speaker=quinlan", 4,
                  "rent-protest:Quinlan,housing-plan:Marta Quinlan,housing-plan:Marta Quinlan,"
                  "housing-plan:Marta Quinlan");
    expect_quotes("/v1/quotes?speaker=marta-quinlan", 3,
                  "housing-plan:Marta Quinlan,housing-plan:Marta Quinlan,"
                  "housing-plan:Marta Quinlan");
    expect_quotes("/v1/quotes?speaker=ines%20delgado", 1, "ecoles-lisbon:Inés Delgado");
    expect_quotes("/v1/quotes?speaker=The%20Operator", 1, "ferry-strike:the operator");
    expect_quotes("/v1/quotes?speaker=cork", 0, "");
    expect_quotes("/v1/quotes?article=rent-protest", 2,
                  "rent-protest:Liam Hegarty,rent-protest:Quinlan");
    expect_quotes("/v1/quotes?article=government-unveils-housing-plan-for-dublin-and-cork", 3,
                  "housing-plan:Marta Quinlan,housing-plan:Marta Quinlan,"
                  "housing-plan:Marta Quinlan");
    expect_quotes("/v1/quotes?article=budget-vote", 0, "");
    expect_quotes("/v1/quotes?article=no-such-article", 0, "");
    /* Words of the quote text, whole words, no stemming. */
    expect_quotes("/v1/quotes?q=freeze", 1, "rent-protest:Quinlan");
    expect_quotes("/v1/quotes?q=home", 1, "housing-plan:Marta Quinlan");
    expect_quotes("/v1/quotes?q=homes", 1, "rent-protest:Quinlan");
    expect_quotes("/v1/quotes?q=PAY+Rise", 1, "ferry-strike:Declan Moran");
    expect_quotes("/v1/quotes?q=pay+wishes", 0, "");
    expect_quotes("/v1/quotes?q=hom", 0, "");
    expect_quotes("/v1/quotes?q=we&speaker=quinlan", 1, "housing-plan:Marta Quinlan");
    expect_quotes("/v1/quotes?q=WE", 5,
                  "rent-protest:Liam Hegarty,housing-plan:Marta Quinlan,ecoles-lisbon:Inés Delgado,"
                  "ferry-strike:the operator,krakow-festival:Anna Kowalska");
    expect_quotes("/v1/quotes?q=wind&article=storm-galway", 1, "storm-galway:Ciarán Walsh");
}

Test(find, pages_quotes)
{
    struct http_reply r;
    cJSON *j = get_json("/v1/quotes?per_page=5&page=3", &r);
    char got[512];
    quote_keys(member(j, "items"), got, sizeof got);
    cr_assert_str_eq(got, "ferry-strike:the operator,krakow-festival:Anna Kowalska");
    cr_assert_eq(int_of(j, "total"), 12);
    cr_assert_eq(int_of(j, "pages"), 3);
    cr_assert_eq(int_of(j, "page"), 3);
    cr_assert_eq(int_of(j, "per_page"), 5);
    http_expect_header(&r, "X-Total-Count", "12");
    cJSON *links = member(j, "links");
    cr_assert_str_eq(str_of(links, "self"), "/v1/quotes?page=3&per_page=5");
    cr_assert_str_eq(str_of(links, "prev"), "/v1/quotes?page=2&per_page=5");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(links, "next"));
    cJSON_Delete(j);
    http_reply_free(&r);
}

/* ---- writes ---- */

static int
entity_count(const char *id, const char *what)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/entities/%s", id);
    cJSON *e = get_json(path, NULL);
    int n = int_of(e, what);
    cJSON_Delete(e);
    return n;
}

Test(find, a_write_shows_up_in_the_next_search_the_entities_and_the_quotes)
{
    expect_list("/v1/articles?q=zeppelin", 0, "");
    expect_problem("/v1/entities/oskar-lindqvist", 404, "entity-not-found", NULL);

    write_call("POST", "/v1/articles", new_article, 201);

    expect_list("/v1/articles?q=zeppelin", 1, "airship-trial");
    expect_list("/v1/articles?q=zeppelin&section=science", 1, "airship-trial");
    expect_list("/v1/articles?person=quinlan", 4,
                "airship-trial,budget-vote,rent-protest,housing-plan");
    expect_list("/v1/articles?entity=marta-quinlan", 2, "airship-trial,housing-plan");
    expect_list("/v1/articles?speaker=oskar%20lindqvist", 1, "airship-trial");
    cr_assert_eq(entity_count("marta-quinlan", "articles"), 2);
    cr_assert_eq(entity_count("marta-quinlan", "mentions"), 5);
    cr_assert_eq(entity_count("marta-quinlan", "quotes"), 4);
    cr_assert_eq(entity_count("limerick", "articles"), 3);
    cr_assert_eq(entity_count("oskar-lindqvist", "articles"), 1);
    expect_list("/v1/entities?prefix=lindq", 1, "oskar-lindqvist");
    /* marta-quinlan: 2 articles, 5 mentions, now ahead of the other two. */
    expect_list("/v1/entities?type=person&per_page=3", 9, "marta-quinlan,declan-moran,quinlan");
    expect_quotes("/v1/quotes?speaker=marta-quinlan", 4,
                  "airship-trial:Marta Quinlan,housing-plan:Marta Quinlan,"
                  "housing-plan:Marta Quinlan,housing-plan:Marta Quinlan");
    expect_quotes("/v1/quotes?q=lorry", 1, "airship-trial:Oskar Lindqvist");
    expect_quotes("/v1/quotes?per_page=2", 14,
                  "airship-trial:Oskar Lindqvist,airship-trial:Marta Quinlan");

    write_call("DELETE", "/v1/articles/airship-trial", NULL, 204);

    expect_list("/v1/articles?q=zeppelin", 0, "");
    expect_list("/v1/articles?person=quinlan", 3, "budget-vote,rent-protest,housing-plan");
    expect_problem("/v1/entities/oskar-lindqvist", 404, "entity-not-found", NULL);
    expect_list("/v1/entities?prefix=lindq", 0, "");
    cr_assert_eq(entity_count("marta-quinlan", "articles"), 1);
    cr_assert_eq(entity_count("marta-quinlan", "quotes"), 3);
    cr_assert_eq(entity_count("limerick", "articles"), 2);
    expect_quotes("/v1/quotes?q=lorry", 0, "");
    expect_quotes("/v1/quotes?per_page=1", 12, "port-expansion:Declan Moran");
}

Test(find, a_replaced_article_is_found_by_its_new_words_only)
{
    const char *doc = "{\"headline\":\"Renters march on Dáil over rising rents\","
                      "\"published\":\"2025-10-14T18:30:00Z\",\"section\":\"Politics\","
                      "\"tags\":[\"housing\"],\"body\":[{\"type\":\"paragraph\",\"text\":"
                      "\"The march was postponed because of a hailstorm.\"}]}";
    write_call("PUT", "/v1/articles/rent-protest", doc, 200);
    expect_list("/v1/articles?q=hailstorm", 1, "rent-protest");
    expect_list("/v1/articles?q=freeze", 0, "");
    expect_list("/v1/articles?source=reuters", 4,
                "port-expansion,storm-galway,housing-plan,ferry-strike");
    expect_list("/v1/articles?speaker=quinlan", 1, "housing-plan");
    expect_problem("/v1/entities/liam-hegarty", 404, "entity-not-found", NULL);
    expect_quotes("/v1/quotes?article=rent-protest", 0, "");
}
