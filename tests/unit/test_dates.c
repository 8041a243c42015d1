/* Unit tests for models/annotate/dates: spans (byte offsets), types and
 * TimeML values, resolved against an anchor or left empty without one. */
#include "models/annotate/dates.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One expected expression: the span as written (first occurrence at or after
 * the previous expectation of the same case), its type and value. */
struct expect {
    const char *text;
    const char *type;
    const char *value;
};

struct dates_case {
    const char *anchor; /* NULL: no anchor */
    const char *text;
    struct expect want[6]; /* terminated by a NULL text */
    bool exact;            /* nothing else may be found */
};

static const char *
type_or_empty(const char *s)
{
    return s ? s : "";
}

static void
check_case(const struct dates_case *c)
{
    struct dates_anchor a;
    const struct dates_anchor *ap = NULL;
    if (c->anchor) {
        cr_assert(dates_parse_anchor(c->anchor, &a), "bad anchor %s", c->anchor);
        ap = &a;
    }
    struct date_mention *m = NULL;
    size_t n = dates_find(c->text, strlen(c->text), ap, &m);
    cr_assert_neq(n, (size_t)-1);
    size_t nwant = 0;
    size_t from = 0;
    for (const struct expect *w = c->want; w->text; w++, nwant++) {
        const char *at = strstr(c->text + from, w->text);
        cr_assert_not_null(at, "case text lacks %s", w->text);
        size_t start = (size_t)(at - c->text), end = start + strlen(w->text);
        bool found = false;
        for (size_t i = 0; i < n; i++) {
            if (m[i].start != start || m[i].end != end)
                continue;
            found = true;
            cr_expect_str_eq(m[i].type, w->type, "[%s] in \"%s\"", w->text, c->text);
            cr_expect_str_eq(m[i].value, type_or_empty(w->value), "[%s] in \"%s\"", w->text,
                             c->text);
        }
        if (!found) {
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "  found [%.*s] %s %s\n", (int)(m[i].end - m[i].start),
                        c->text + m[i].start, m[i].type, m[i].value);
        }
        cr_expect(found, "[%s] not found as a span in \"%s\"", w->text, c->text);
        from = end;
    }
    if (c->exact)
        cr_expect_eq(n, nwant, "\"%s\": %zu expressions found, %zu expected", c->text, n, nwant);
    free(m);
}

static void
check_cases(const struct dates_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_case(&cases[i]);
}

#define CHECK_ALL(cases) check_cases(cases, sizeof cases / sizeof cases[0])

/* Sentences of data/articles/kim-visits-china.txt, published Tuesday 2019-01-08. */
static const struct dates_case seed_cases[] = {
    {"2019-01-08",
     "The Korean Central News Agency said on Tuesday that Kim departed on Monday afternoon on a "
     "private train accompanied by his wife Ri Sol Ju and top North Korean officials.",
     {{"Tuesday", "DATE", "2019-01-08"}, {"Monday afternoon", "TIME", "2019-01-07TAF"}, {0}},
     true},
    {"2019-01-08",
     "A motorcade late on Tuesday morning was seen leaving a train station in the Chinese "
     "capital, Beijing.",
     {{"Tuesday morning", "TIME", "2019-01-08TMO"}, {0}},
     true},
    {"2019-01-08",
     "The visit also coincided with what South Korean officials say is Kim’s 35th birthday on "
     "January 8.",
     {{"January 8", "DATE", "2019-01-08"}, {0}},
     true},
    {"2019-01-08",
     "Last year, Kim travelled to China three times to meet Xi before and after meeting Trump.",
     {{"Last year", "DATE", "2018"}, {0}},
     true},
    {"2019-01-08",
     "Kim and Xi met three times last year [File: Ju Peng/Xinhua via The Associated Press]",
     {{"last year", "DATE", "2018"}, {0}},
     true},
    {"2019-01-08",
     "In his annual New Year’s address last week, Kim renewed his commitment to "
     "denuclearisation.",
     {{"last week", "DATE", "2019-W01"}, {0}},
     true},
    {"2019-01-08",
     "The visit comes a week after Kim warned that North Korea may seek an alternative course.",
     {{"a week", "DURATION", "P1W"}, {0}},
     true},
    {"2019-01-08",
     "North Korean leader Kim Jong-un has arrived in China for a four-day visit at the "
     "invitation of Chinese President Xi Jinping.",
     {{"four-day", "DURATION", "P4D"}, {0}},
     true},
    {"2019-01-08",
     "“What’s interesting about Kim’s visits over the past year is that they either preceded "
     "or occurred after major diplomatic moves,” Al Jazeera’s Divya Gopalan said.",
     {{"the past year", "DURATION", "P1Y"}, {0}},
     true},
};

Test(dates, finds_the_seed_article_expressions_against_its_publication_date)
{
    CHECK_ALL(seed_cases);
}

/* The whole seed article, block by block (blocks end at blank lines), as the
 * annotator sees it: exactly these expressions, in reading order. */
Test(dates, finds_exactly_the_dates_of_the_seed_article_file)
{
    static const struct expect want[] = {
        {"four-day", "DURATION", "P4D"},
        {"Tuesday", "DATE", "2019-01-08"},
        {"Monday afternoon", "TIME", "2019-01-07TAF"},
        {"Tuesday morning", "TIME", "2019-01-08TMO"},
        {"a week", "DURATION", "P1W"},
        {"Last year", "DATE", "2018"},
        {"the past year", "DURATION", "P1Y"},
        {"January 8", "DATE", "2019-01-08"},
        {"last year", "DATE", "2018"}, /* the photo caption, */
        {"last year", "DATE", "2018"}, /* which the page repeats */
        {"last week", "DATE", "2019-W01"},
    };
    const size_t nwant = sizeof want / sizeof want[0];
    FILE *f = fopen("data/articles/kim-visits-china.txt", "rb");
    cr_assert_not_null(f, "run the tests from the repository root");
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    struct dates_anchor a = {2019, 1, 8};
    size_t got = 0;
    for (size_t b = 0; b < len;) {
        const char *blank = strstr(text + b, "\n\n");
        size_t e = blank ? (size_t)(blank - text) : len;
        struct date_mention *m = NULL;
        size_t n = dates_find(text + b, e - b, &a, &m);
        cr_assert_neq(n, (size_t)-1);
        for (size_t i = 0; i < n; i++, got++) {
            cr_assert_lt(got, nwant, "unexpected [%.*s]", (int)(m[i].end - m[i].start),
                         text + b + m[i].start);
            size_t wl = strlen(want[got].text);
            cr_expect(m[i].end - m[i].start == wl &&
                          memcmp(text + b + m[i].start, want[got].text, wl) == 0,
                      "expression %zu: [%.*s], expected [%s]", got, (int)(m[i].end - m[i].start),
                      text + b + m[i].start, want[got].text);
            cr_expect_str_eq(m[i].type, want[got].type, "%s", want[got].text);
            cr_expect_str_eq(m[i].value, want[got].value, "%s", want[got].text);
        }
        free(m);
        b = e + 2;
    }
    cr_expect_eq(got, nwant);
}

Test(dates, leaves_every_relative_value_empty_without_an_anchor)
{
    static const struct dates_case cases[] = {
        {NULL,
         "The agency said on Tuesday that Kim departed on Monday afternoon.",
         {{"Tuesday", "DATE", ""}, {"Monday afternoon", "TIME", ""}, {0}},
         true},
        {NULL,
         "His birthday is on January 8. Last year he went three times; last week he spoke.",
         {{"January 8", "DATE", ""}, {"Last year", "DATE", ""}, {"last week", "DATE", ""}, {0}},
         true},
        {NULL,
         "It comes a week after the talks of 2018, on 2019-01-08 and Jan. 8, 2019.",
         {{"a week", "DURATION", "P1W"},
          {"2018", "DATE", "2018"},
          {"2019-01-08", "DATE", "2019-01-08"},
          {"Jan. 8, 2019", "DATE", "2019-01-08"},
          {0}},
         true},
    };
    CHECK_ALL(cases);
}

/* Anchor: Wednesday 2019-01-09. A bare weekday is the anchor day itself or the
 * nearest one before it, unless the sentence speaks of the future. */
Test(dates, resolves_weekday_against_publication_date)
{
    static const struct dates_case cases[] = {
        {"2019-01-09", "He left on Monday.", {{"Monday", "DATE", "2019-01-07"}, {0}}, true},
        {"2019-01-09", "He left on Wednesday.", {{"Wednesday", "DATE", "2019-01-09"}, {0}}, true},
        {"2019-01-09", "He left on Thursday.", {{"Thursday", "DATE", "2019-01-03"}, {0}}, true},
        {"2019-01-09",
         "He will leave on Thursday.",
         {{"Thursday", "DATE", "2019-01-10"}, {0}},
         true},
        {"2019-01-09",
         "They met last Wednesday.",
         {{"last Wednesday", "DATE", "2019-01-02"}, {0}},
         true},
        {"2019-01-09",
         "They meet next Monday.",
         {{"next Monday", "DATE", "2019-01-14"}, {0}},
         true},
        {"2019-01-09",
         "It aired Sunday night.",
         {{"Sunday night", "TIME", "2019-01-06TNI"}, {0}},
         true},
        {"2019-01-09",
         "Talks are held every Thursday.",
         {{"every Thursday", "SET", "XXXX-WXX-4"}, {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, resolves_calendar_dates_and_months)
{
    static const struct dates_case cases[] = {
        {"2019-01-08",
         "It opened on 8 January 2019.",
         {{"8 January 2019", "DATE", "2019-01-08"}, {0}},
         true},
        {"2019-01-08",
         "It closed on Jan. 8, 2019, at noon.",
         {{"Jan. 8, 2019", "DATE", "2019-01-08"}, {0}},
         false},
        {"2019-01-08",
         "Filed 2019-01-08 in court.",
         {{"2019-01-08", "DATE", "2019-01-08"}, {0}},
         true},
        {"2019-01-08", "Sales rose in March 2019.", {{"March 2019", "DATE", "2019-03"}, {0}}, true},
        {"2019-01-08", "Sales rose in October.", {{"October", "DATE", "2018-10"}, {0}}, true},
        {"2019-01-08", "A vote is due in March.", {{"March", "DATE", "2019-03"}, {0}}, true},
        {"2019-01-08", "They met on Dec. 30.", {{"Dec. 30", "DATE", "2018-12-30"}, {0}}, true},
        {"2019-01-08", "The law of 2007 stands.", {{"2007", "DATE", "2007"}, {0}}, true},
        {"2019-01-08", "Prices fell in the 1990s.", {{"the 1990s", "DATE", "199"}, {0}}, true},
        {"2019-01-08",
         "It was built in the 20th century.",
         {{"the 20th century", "DATE", "19"}, {0}},
         true},
        {"2019-01-08", "Rates rise in mid-March.", {{"mid-March", "DATE", "2019-03"}, {0}}, true},
        {"2019-01-08",
         "He met them on Christmas Eve.",
         {{"Christmas Eve", "DATE", "2018-12-24"}, {0}},
         true},
        {"2019-11-20",
         "Stores open on Thanksgiving Day.",
         {{"Thanksgiving Day", "DATE", "2019-11-28"}, {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, does_not_tag_may_or_month_names_used_otherwise)
{
    static const struct dates_case cases[] = {
        {"2019-01-08", "North Korea may seek an alternative path.", {{0}}, true},
        {"2019-01-08", "May I ask? April Ryan said the march was peaceful.", {{0}}, true},
        {"2019-01-08", "The election is in May.", {{"May", "DATE", "2019-05"}, {0}}, true},
        {"2019-01-08", "May 5 is the date.", {{"May 5", "DATE", "2019-05-05"}, {0}}, true},
        {"2019-01-08", "She paid $2019 for 1,500 shares, 2000 percent more.", {{0}}, true},
        {"2019-01-08",
         "A 37-year-old woman and her 9-year-old daughter, 61 years old.",
         {{0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, resolves_relative_days_weeks_months_and_years)
{
    static const struct dates_case cases[] = {
        {"2019-01-08",
         "It rained yesterday, rains today and will rain tomorrow.",
         {{"yesterday", "DATE", "2019-01-07"},
          {"today", "DATE", "2019-01-08"},
          {"tomorrow", "DATE", "2019-01-09"},
          {0}},
         true},
        {"2019-01-08",
         "Prices this month beat last month and next year.",
         {{"this month", "DATE", "2019-01"},
          {"last month", "DATE", "2018-12"},
          {"next year", "DATE", "2020"},
          {0}},
         true},
        {"2021-01-05", "They met last week.", {{"last week", "DATE", "2020-W53"}, {0}}, true},
        {"2019-01-08",
         "It will end early next year.",
         {{"early next year", "DATE", "2020"}, {0}},
         true},
        {"2019-01-08",
         "He said so earlier this week.",
         {{"earlier this week", "DATE", "2019-W02"}, {0}},
         true},
        {"2019-01-08",
         "It happened two years ago.",
         {{"two years ago", "DATE", "2017"}, {0}},
         true},
        {"2019-01-08", "We met last summer.", {{"last summer", "DATE", "2018-SU"}, {0}}, true},
        {"2019-01-08",
         "He is now away; he recently left; in the past he stayed.",
         {{"now", "DATE", "PRESENT_REF"},
          {"recently", "DATE", "PAST_REF"},
          {"the past", "DATE", "PAST_REF"},
          {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, resolves_weeks_weekends_clock_times_and_shifts)
{
    static const struct dates_case cases[] = {
        {"2019-01-08",
         "The show runs this weekend, six weeks ago it ran at 10 p.m. every morning.",
         {{"this weekend", "DATE", "2019-W02-WE"},
          {"six weeks ago", "DATE", "2018-W48"},
          {"10 p.m.", "TIME", "2019-01-08T22:00"},
          {"every morning", "SET", "XXXX-XX-XXTMO"},
          {0}},
         true},
        {"2019-01-08",
         "Sales in the first half beat the latest quarter and last April.",
         {{"the first half", "DATE", "2019-H1"},
          {"the latest quarter", "DATE", "2018-Q4"},
          {"last April", "DATE", "2018-04"},
          {0}},
         true},
        {"2019-01-08",
         "The trial is expected to last two months, the Today programme said.",
         {{"two months", "DURATION", "P2M"}, {0}},
         true},
        {"2019-01-08",
         "It earned $3 billion a year, with a quarter of its stock, in recent years.",
         {{"recent years", "DURATION", "PXY"}, {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, resolves_quarters_against_the_reporting_year)
{
    static const struct dates_case cases[] = {
        {"2019-01-08",
         "Profit rose in the third quarter.",
         {{"the third quarter", "DATE", "2018-Q3"}, {0}},
         true},
        {"2019-01-08",
         "Fourth-quarter profit rose.",
         {{"Fourth-quarter", "DATE", "2018-Q4"}, {0}},
         true},
        {"2019-01-08",
         "Sales in the first quarter will rise.",
         {{"the first quarter", "DATE", "2019-Q1"}, {0}},
         true},
        {"1989-10-30",
         "Profit in the third quarter fell from a year earlier.",
         {{"the third quarter", "DATE", "1989-Q3"}, {"a year earlier", "DATE", "1988-Q3"}, {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, normalises_durations_and_sets_with_number_words)
{
    static const struct dates_case cases[] = {
        {"2019-01-08",
         "He served three years and two weeks.",
         {{"three years", "DURATION", "P3Y"}, {"two weeks", "DURATION", "P2W"}, {0}},
         true},
        {"2019-01-08",
         "Talks lasted 24 hours, then twenty-four hours more.",
         {{"24 hours", "DURATION", "PT24H"}, {"twenty-four hours", "DURATION", "PT24H"}, {0}},
         true},
        {"2019-01-08",
         "A two-year deal, over the past two months.",
         {{"two-year", "DURATION", "P2Y"}, {"the past two months", "DURATION", "P2M"}, {0}},
         true},
        {"2019-01-08",
         "It lasted nearly forty years, or several days.",
         {{"nearly forty years", "DURATION", "P40Y"}, {"several days", "DURATION", "PXD"}, {0}},
         true},
        {"2019-01-08",
         "They meet every week and publish weekly.",
         {{"every week", "SET", "P1W"}, {"weekly", "SET", "P1W"}, {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, reports_byte_offsets_and_treats_no_break_space_as_space)
{
    /* "Café" has a two-byte é; U+00A0 separates "on" and "Tuesday", and
     * "Jan." from "8". */
    const char *text = "Café met on\u00a0Tuesday and on Jan.\u00a08.";
    struct dates_anchor a = {2019, 1, 9};
    struct date_mention *m = NULL;
    size_t n = dates_find(text, strlen(text), &a, &m);
    cr_assert_eq(n, 2);
    cr_expect_eq(m[0].start, 14);
    cr_expect_eq(m[0].end, 21);
    cr_expect_str_eq(m[0].value, "2019-01-08");
    const char *jan = strstr(text, "Jan.");
    cr_expect_eq(m[1].start, (size_t)(jan - text));
    cr_expect_eq(m[1].end, (size_t)(jan - text) + strlen("Jan.\u00a08"));
    cr_expect_str_eq(m[1].value, "2019-01-08");
    free(m);
}

Test(dates, keeps_prepositions_out_of_spans_and_modifiers_in)
{
    static const struct dates_case cases[] = {
        {"2019-01-08",
         "They met on Tuesday, in the third quarter, late last year.",
         {{"Tuesday", "DATE", "2019-01-08"},
          {"the third quarter", "DATE", "2018-Q3"},
          {"late last year", "DATE", "2018"},
          {0}},
         true},
    };
    CHECK_ALL(cases);
}

Test(dates, returns_nothing_for_empty_or_dateless_text)
{
    struct date_mention *m = (struct date_mention *)&m; /* must be reset */
    cr_expect_eq(dates_find("", 0, NULL, &m), 0);
    cr_expect_null(m);
    const char *text = "Nothing here is a date, said the minister.";
    cr_expect_eq(dates_find(text, strlen(text), NULL, &m), 0);
    cr_expect_null(m);
}

Test(dates, parses_the_anchor_from_an_iso_date_or_date_time)
{
    static const struct {
        const char *in;
        bool ok;
        int y, m, d;
    } cases[] = {
        {"2019-01-08", true, 2019, 1, 8},
        {"2019-01-08T10:30:00Z", true, 2019, 1, 8},
        {"2020-02-29", true, 2020, 2, 29},
        {"2019-02-29", false, 0, 0, 0},
        {"2019-13-01", false, 0, 0, 0},
        {"2019-1-8", false, 0, 0, 0},
        {"2019-01-08junk", false, 0, 0, 0},
        {"", false, 0, 0, 0},
        {NULL, false, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dates_anchor a = {0, 0, 0};
        bool ok = dates_parse_anchor(cases[i].in, &a);
        cr_expect_eq(ok, cases[i].ok, "%s", cases[i].in ? cases[i].in : "(null)");
        if (ok && cases[i].ok) {
            cr_expect_eq(a.year, cases[i].y);
            cr_expect_eq(a.month, cases[i].m);
            cr_expect_eq(a.day, cases[i].d);
        }
    }
}
