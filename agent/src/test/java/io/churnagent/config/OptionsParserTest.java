package io.churnagent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class OptionsParserTest {

    // ---- helpers -------------------------------------------------------------------------------

    private static ParseResult args(String agentArgs) {
        return OptionsParser.parse(agentArgs, Map.of(), Map.of());
    }

    /** Parses agent arguments that must be fine and returns the options. */
    private static AgentOptions valid(String agentArgs) {
        ParseResult r = args(agentArgs);
        assertEquals(List.of(), r.problems(), "problems for " + agentArgs);
        return r.options();
    }

    /**
     * Gives the value through a system property (so that ',' can be part of it) and checks the one
     * problem it must cause and that the option stayed at its default.
     */
    private static String invalid(Option<?> key, String value) {
        ParseResult r = OptionsParser.parse(null, Map.of(key.propertyName(), value), Map.of());
        assertEquals(1, r.problems().size(), key.key() + "=" + value + " gave " + r.problems());
        String p = r.problems().get(0);
        assertTrue(p.startsWith("option " + key.key() + "="), p);
        assertTrue(p.contains("(from -D" + key.propertyName() + ")"), p);
        assertTrue(p.contains("is not valid: expected " + key.form()), p);
        assertTrue(p.endsWith("; using the default " + key.defaultValue()), p);
        assertEquals(AgentOptions.defaults(), r.options(), "an invalid value must leave the default");
        return p;
    }

    private static void assertOneProblemContaining(ParseResult r, String... fragments) {
        assertEquals(1, r.problems().size(), r.problems().toString());
        for (String f : fragments) {
            assertTrue(r.problems().get(0).contains(f), "'" + f + "' not in: " + r.problems().get(0));
        }
    }

    // ---- no input ------------------------------------------------------------------------------

    @Test
    void noInputAtAllGivesDefaultsAndNoProblems() {
        for (String a : new String[] {null, "", "   ", ",", " , ,, ", "\t"}) {
            ParseResult r = OptionsParser.parse(a, null, null);
            assertEquals(List.of(), r.problems(), "for '" + a + "'");
            assertEquals(AgentOptions.defaults(), r.options());
        }
    }

    @Test
    void problemsListIsUnmodifiable() {
        List<String> problems = args("nope=1").problems();
        assertEquals(1, problems.size());
        assertThrows(UnsupportedOperationException.class, () -> problems.add("x"));
    }

    // ---- every key, valid and invalid ----------------------------------------------------------

    /** Agent arguments that must parse, each with what the option's own getter must then give. */
    static Stream<Arguments> validValues() {
        return Stream.of(
                accepted("warn.ratio=0.5", AgentOptions::warnRatio, 0.5),
                accepted("warn.ratio=.25", AgentOptions::warnRatio, 0.25),
                accepted("warn.ratio=0.001", AgentOptions::warnRatio, 0.001),
                accepted("warn.ratio= 0.7 ", AgentOptions::warnRatio, 0.7),
                accepted("warn.ratio=0.80", AgentOptions::warnRatio, 0.8),
                accepted("warn.ratio=1,critical.ratio=1", AgentOptions::warnRatio, 1.0),
                accepted("warn.ratio=1.,critical.ratio=1.000", AgentOptions::warnRatio, 1.0),

                accepted("critical.ratio=0.9", AgentOptions::criticalRatio, 0.9),
                accepted("critical.ratio=1", AgentOptions::criticalRatio, 1.0),
                accepted("critical.ratio=0.5", AgentOptions::criticalRatio, 0.5, "equal to warn.ratio is allowed"),
                accepted("warn.ratio=0.1,critical.ratio=0.2", AgentOptions::criticalRatio, 0.2),

                accepted("warn.interval=500ms", AgentOptions::warnIntervalMillis, 500L),
                accepted("warn.interval=10s", AgentOptions::warnIntervalMillis, 10_000L),
                accepted("warn.interval=5m", AgentOptions::warnIntervalMillis, 300_000L),
                accepted("warn.interval=1h", AgentOptions::warnIntervalMillis, 3_600_000L),
                accepted("warn.interval=24h", AgentOptions::warnIntervalMillis, 86_400_000L),
                accepted("warn.interval=30", AgentOptions::warnIntervalMillis, 30_000L),
                accepted("warn.interval=1ms", AgentOptions::warnIntervalMillis, 1L),
                accepted("warn.interval=1.5s", AgentOptions::warnIntervalMillis, 1_500L),

                accepted("report.interval=1m", AgentOptions::reportIntervalMillis, 60_000L),
                accepted("report.interval=250ms", AgentOptions::reportIntervalMillis, 250L),
                accepted("report.interval=0", AgentOptions::reportIntervalMillis, 0L),
                accepted("report.interval=0s", AgentOptions::reportIntervalMillis, 0L),
                accepted("report.interval=off", AgentOptions::reportIntervalMillis, 0L),
                accepted("report.interval=OFF", AgentOptions::reportIntervalMillis, 0L),
                accepted("report.interval=24h", AgentOptions::reportIntervalMillis, 86_400_000L),

                accepted("evaluate.interval=100ms", AgentOptions::evaluateIntervalMillis, 100L),
                accepted("evaluate.interval=1s", AgentOptions::evaluateIntervalMillis, 1_000L),
                accepted("evaluate.interval=0.5", AgentOptions::evaluateIntervalMillis, 500L),
                accepted("evaluate.interval=60s", AgentOptions::evaluateIntervalMillis, 60_000L),
                accepted("evaluate.interval=1m", AgentOptions::evaluateIntervalMillis, 60_000L),

                accepted("log.file=/tmp/churn.log", AgentOptions::logFile, "/tmp/churn.log"),
                accepted("log.file= logs/churn.log ", AgentOptions::logFile, "logs/churn.log"),
                accepted("log.file=/tmp/with space.log", AgentOptions::logFile, "/tmp/with space.log"),
                accepted("log.file=/tmp/caf\u00e9.log", AgentOptions::logFile, "/tmp/caf\u00e9.log"),
                accepted("log.file=a=b.log", AgentOptions::logFile, "a=b.log", "only the first '=' separates"),
                accepted("log.file=stderr", AgentOptions::logFile, null),

                accepted("log.level=trace", AgentOptions::logLevel, "trace"),
                accepted("log.level=DEBUG", AgentOptions::logLevel, "debug"),
                accepted("log.level=Info", AgentOptions::logLevel, "info"),
                accepted("log.level=warn", AgentOptions::logLevel, "warn"),
                accepted("log.level= error ", AgentOptions::logLevel, "error"),

                accepted("destinations.max=1", AgentOptions::maxDestinations, 1),
                accepted("destinations.max=65000", AgentOptions::maxDestinations, 65_000),
                accepted("destinations.max=0042", AgentOptions::maxDestinations, 42),

                accepted("report.top=1", AgentOptions::reportTop, 1),
                accepted("report.top=1000", AgentOptions::reportTop, 1000),

                accepted("capacity=0", AgentOptions::capacityOverride, 0),
                accepted("capacity=1", AgentOptions::capacityOverride, 1),
                accepted("capacity=28232", AgentOptions::capacityOverride, 28232),
                accepted("capacity=65535", AgentOptions::capacityOverride, 65535),

                accepted("handlers=none", AgentOptions::handlers, List.of()),
                accepted("handlers=com.example.Api#serve", AgentOptions::handlers, List.of("com.example.Api#serve")),
                accepted("handlers= com.example.Api#serve ; com.example.Jobs$Worker#run ;", AgentOptions::handlers,
                        List.of("com.example.Api#serve", "com.example.Jobs$Worker#run")),

                accepted("app.packages=auto", AgentOptions::appPackages, List.of()),
                accepted("app.packages=com.acme", AgentOptions::appPackages, List.of("com.acme")),
                accepted("app.packages= com.acme.* ; org.example.billing ;", AgentOptions::appPackages,
                        List.of("com.acme", "org.example.billing")));
    }

    private static <T> Arguments accepted(String agentArgs, Function<AgentOptions, T> getter, T expected) {
        return accepted(agentArgs, getter, expected, null);
    }

    private static <T> Arguments accepted(String agentArgs, Function<AgentOptions, T> getter, T expected, String why) {
        return Arguments.of(agentArgs, getter, expected, why);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validValues")
    void aValidValueReachesTheOptionsGetter(String agentArgs, Function<AgentOptions, ?> getter, Object expected,
            String why) {
        assertEquals(expected, getter.apply(valid(agentArgs)), why);
    }

    /**
     * Values each option must reject; {@link #invalid} checks the one problem each gives and that the
     * option keeps its default.
     */
    static Stream<Arguments> invalidValues() {
        return Stream.of(
                rejected(Option.WARN_RATIO, "0", "0.0", "1.01", "2", "-0.5", "+0.5", "abc", "", " ", "NaN", "Infinity",
                        "1e-1", "0x1p-1", "0.5d", "0.5f", "50%", "0,5", "1.2.3", ".", "0.5 0.6", "\u0660.5"),
                rejected(Option.CRITICAL_RATIO, "0", "1.5", "-1", "high", "", "0.9x"),
                rejected(Option.WARN_INTERVAL, "0", "0s", "-1s", "-5", "25h", "86400001ms", "10x", "1.5.2s", "",
                        "99999999999999999999", "9223372036854775807h", "1.5ms", "ten seconds", "1h30m"),
                rejected(Option.REPORT_INTERVAL, "-1", "-1s", "25h", "never", "no", "false", "", "10x", "1.5.2s"),
                rejected(Option.EVALUATE_INTERVAL, "99ms", "61s", "2m", "0", "off", "", "1h", "-100ms", "fast"),
                rejected(Option.LOG_FILE, "", "   ", "/tmp/a\u0001b.log", "/tmp/a\nb.log", "x\u007fy"),
                rejected(Option.LOG_LEVEL, "warning", "fatal", "off", "all", "", "inf o", "1"),
                rejected(Option.DESTINATIONS_MAX, "0", "65001", "-1", "1.0", "1e3", "99999999999", "2147483648", "",
                        "lots", "\u0661\u0660", "1_000"),
                rejected(Option.REPORT_TOP, "0", "1001", "-3", "ten", ""),
                rejected(Option.CAPACITY, "-1", "65536", "auto", "kernel", "", "1k"),
                rejected(Option.ENABLED, "2", "enable", "y", "n", "", "truee", "-1"),
                // missing '#', empty class or method, descriptors, empty names
                rejected(Option.HANDLERS, "com.example.Api", "#serve", "com.example.Api#", "com.example.Api##serve",
                        "com.example.Api#serve(int)", ";", " ; ", "com.example..Api#serve", "com.example.Api#serve;bad",
                        "com.example.Api#serve#run", "1com.Api#serve"),
                // wildcards inside, trailing dots, class#method, empty names
                rejected(Option.APP_PACKAGES, "com..acme", "com.acme.", "com.*.acme", "com.acme#run", ";", " ; ",
                        "1com.acme", "com acme"))
                .flatMap(Function.identity());
    }

    private static Stream<Arguments> rejected(Option<?> key, String... values) {
        return Stream.of(values).map(value -> Arguments.of(key, value));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidValues")
    void anInvalidValueIsOneProblemAndLeavesTheDefault(Option<?> key, String value) {
        invalid(key, value);
    }

    @Test
    void theProblemForAListOptionNamesTheFormItExpects() {
        String handlers = invalid(Option.HANDLERS, "com.example.Api");
        assertTrue(handlers.contains("Class#method"), handlers);
        String packages = invalid(Option.APP_PACKAGES, "com..acme");
        assertTrue(packages.contains("package names separated by ';'"), packages);
    }

    @Test
    void aCommaInTheLogFileIsOnlyAProblemInAgentArguments() {
        assertEquals("/tmp/a,b.log", OptionsParser.parse(null, Map.of("churn.log.file", "/tmp/a,b.log"), Map.of())
                .options().logFile(), "a ',' is only a problem in agent arguments");
    }

    @Test
    void enabled() {
        for (String yes : new String[] {"true", "TRUE", "yes", "Yes", "on", "1"}) {
            assertTrue(valid("enabled=" + yes).enabled(), yes);
        }
        for (String no : new String[] {"false", "False", "no", "NO", "off", "0"}) {
            assertFalse(valid("enabled=" + no).enabled(), no);
        }
    }

    @Test
    void criticalBelowWarnFallsBackToBothDefaults() {
        ParseResult r = args("warn.ratio=0.6,critical.ratio=0.3");
        assertOneProblemContaining(r, "critical.ratio=0.3 (from agent arguments)", "is below warn.ratio=0.6 (from agent arguments)",
                "using the defaults warn.ratio=0.5 and critical.ratio=0.8");
        assertEquals(0.5, r.options().warnRatio());
        assertEquals(0.8, r.options().criticalRatio());
    }

    @Test
    void criticalBelowTheDefaultWarnSaysTheWarnIsTheDefault() {
        ParseResult r = OptionsParser.parse(null, Map.of(), Map.of("CHURN_CRITICAL_RATIO", "0.3"));
        assertOneProblemContaining(r, "critical.ratio=0.3 (from environment variable CHURN_CRITICAL_RATIO)",
                "below warn.ratio=0.5 (the default)");
        assertEquals(AgentOptions.defaults(), r.options());
    }

    @Test
    void invalidWarnAndLowCriticalGiveTwoProblems() {
        ParseResult r = args("warn.ratio=x,critical.ratio=0.3");
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith("option warn.ratio=x "));
        assertTrue(r.problems().get(1).contains("critical.ratio=0.3"));
        assertEquals(AgentOptions.defaults(), r.options());
    }

    @Test
    void valuesAreReadTheSameInATurkishLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(new Locale("tr", "TR"));
            AgentOptions o = valid("log.level=INFO,enabled=TRUE,report.interval=OFF,warn.interval=1H");
            assertEquals("info", o.logLevel());
            assertTrue(o.enabled());
            assertEquals(0, o.reportIntervalMillis());
            assertEquals(3_600_000, o.warnIntervalMillis());
            assertEquals("CHURN_LOG_FILE", Option.LOG_FILE.environmentName());
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void aBadHandlersAgentArgumentIsOneProblemAndTheOtherOptionsStillApply() {
        ParseResult r = args("handlers=com.example.Api,report.top=7");
        assertOneProblemContaining(r, "handlers=com.example.Api", "Class#method");
        assertEquals(List.of(), r.options().handlers());
        assertEquals(7, r.options().reportTop());
    }

    @Test
    void invalidValueMessageHasTheDocumentedShape() {
        String p = invalid(Option.WARN_RATIO, "abc");
        assertEquals("option warn.ratio=abc (from -Dchurn.warn.ratio) is not valid: expected a decimal number > 0"
                + " and <= 1, e.g. 0.5; using the default 0.5", p);
    }

    @Test
    void emptyValueIsShownAsEmptyQuotes() {
        assertOneProblemContaining(args("report.top="), "option report.top=\"\" (from agent arguments) is not valid");
    }

    // ---- precedence ----------------------------------------------------------------------------

    @Test
    void agentArgumentsBeatSystemPropertiesWhichBeatTheEnvironment() {
        Map<String, String> props = Map.of("churn.warn.ratio", "0.2", "churn.report.top", "20");
        Map<String, String> env = Map.of("CHURN_WARN_RATIO", "0.3", "CHURN_REPORT_TOP", "30", "CHURN_CAPACITY", "300");
        ParseResult r = OptionsParser.parse("warn.ratio=0.1", props, env);
        assertEquals(List.of(), r.problems());
        assertEquals(0.1, r.options().warnRatio());
        assertEquals(20, r.options().reportTop());
        assertEquals(300, r.options().capacityOverride());
    }

    @Test
    void eachSourceWorksAlone() {
        assertEquals(5, OptionsParser.parse(null, Map.of("churn.report.top", "5"), null).options().reportTop());
        assertEquals(6, OptionsParser.parse(null, null, Map.of("CHURN_REPORT_TOP", "6")).options().reportTop());
        assertEquals(7, OptionsParser.parse("report.top=7", null, null).options().reportTop());
        assertEquals(8, OptionsParser.parse(null, null, Map.of("CHURN_DESTINATIONS_MAX", "8")).options().maxDestinations());
        assertEquals("/x", OptionsParser.parse(null, null, Map.of("CHURN_LOG_FILE", "/x")).options().logFile());
    }

    @Test
    void badAgentArgumentFallsBackToTheDefaultNotToTheSystemProperty() {
        ParseResult r = OptionsParser.parse("warn.ratio=abc", Map.of("churn.warn.ratio", "0.7"), Map.of());
        assertEquals(0.5, r.options().warnRatio());
        assertOneProblemContaining(r, "option warn.ratio=abc (from agent arguments) is not valid",
                "using the default 0.5, not 0.7 from -Dchurn.warn.ratio");
    }

    @Test
    void badSystemPropertyFallsBackToTheDefaultNotToTheEnvironment() {
        ParseResult r = OptionsParser.parse(null, Map.of("churn.report.interval", "soon"),
                Map.of("CHURN_REPORT_INTERVAL", "5s"));
        assertEquals(60_000, r.options().reportIntervalMillis());
        assertOneProblemContaining(r, "option report.interval=soon (from -Dchurn.report.interval)",
                "using the default 60s, not 5s from environment variable CHURN_REPORT_INTERVAL");
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        ParseResult r = OptionsParser.parse(null, null, Map.of("CHURN_ENABLED", "maybe"));
        assertOneProblemContaining(r, "option enabled=maybe (from environment variable CHURN_ENABLED) is not valid",
                "using the default true");
        assertTrue(r.options().enabled());
    }

    @Test
    void aBadValueThatIsOverriddenIsNotReported() {
        ParseResult r = OptionsParser.parse("report.top=4", Map.of("churn.report.top", "x"), Map.of("CHURN_REPORT_TOP", "y"));
        assertEquals(List.of(), r.problems());
        assertEquals(4, r.options().reportTop());
    }

    @Test
    void ignoresPropertiesAndVariablesOutsideTheChurnPrefix() {
        Map<String, String> props = new HashMap<>();
        props.put("java.version", "17");
        props.put("churn", "x");
        props.put("churnx.warn.ratio", "0.1");
        props.put("CHURN.warn.ratio", "0.1");
        props.put("warn.ratio", "0.1");
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin");
        env.put("CHURN", "x");
        env.put("churn_warn_ratio", "0.1");
        env.put("XCHURN_WARN_RATIO", "0.1");
        ParseResult r = OptionsParser.parse(null, props, env);
        assertEquals(List.of(), r.problems());
        assertEquals(AgentOptions.defaults(), r.options());
    }

    @Test
    void unknownSystemPropertyIsNamedWithASuggestion() {
        ParseResult r = OptionsParser.parse(null, Map.of("churn.warn.ratoi", "0.6"), Map.of());
        assertOneProblemContaining(r, "unknown option 'warn.ratoi' (-Dchurn.warn.ratoi)",
                "did you mean -Dchurn.warn.ratio?", "known options: warn.ratio, critical.ratio,");
        assertEquals(AgentOptions.defaults(), r.options());
    }

    @Test
    void unknownEnvironmentVariableIsNamedWithASuggestion() {
        ParseResult r = OptionsParser.parse(null, null, Map.of("CHURN_REPORT_TPO", "5"));
        assertOneProblemContaining(r, "unknown option 'CHURN_REPORT_TPO' (environment variable)",
                "did you mean CHURN_REPORT_TOP?", "known options: ", "CHURN_WARN_RATIO");
    }

    @Test
    void emptyPropertyAndVariableNamesAfterThePrefixAreUnknown() {
        ParseResult r = OptionsParser.parse(null, Map.of("churn.", "1"), Map.of("CHURN_", "1"));
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith("unknown option '' (-Dchurn.)"), r.problems().get(0));
        assertTrue(r.problems().get(1).startsWith("unknown option 'CHURN_' (environment variable)"), r.problems().get(1));
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void toleratesRawPropertiesWithNonStringEntries() {
        Properties p = new Properties();
        p.put("churn.warn.ratio", "0.6");
        p.put(new Object(), "ignored");
        p.put(42, 43);
        p.put("churn.report.top", 5);
        ParseResult r = OptionsParser.parse(null, (Map) p, null);
        assertEquals(0.6, r.options().warnRatio());
        assertOneProblemContaining(r, "option report.top=\"\" (from -Dchurn.report.top) is not valid");
    }

    @Test
    void nullValuesInMapsAreTreatedAsEmpty() {
        Map<String, String> props = new HashMap<>();
        props.put("churn.capacity", null);
        props.put(null, "x");
        ParseResult r = OptionsParser.parse(null, props, null);
        assertOneProblemContaining(r, "option capacity=\"\" (from -Dchurn.capacity)");
    }

    @Test
    void aMapThatFailsIsReportedAndTheOtherSourcesStillCount() {
        Map<String, String> broken = new HashMap<String, String>() {
            @Override
            public java.util.Set<Map.Entry<String, String>> entrySet() {
                throw new IllegalStateException("boom");
            }
        };
        ParseResult r = OptionsParser.parse("report.top=3", broken, Map.of("CHURN_CAPACITY", "9"));
        assertOneProblemContaining(r, "could not read the churn.* system properties (java.lang.IllegalStateException)");
        assertEquals(3, r.options().reportTop());
        assertEquals(9, r.options().capacityOverride());
    }

    @Test
    void problemsComeOutInTheSameOrderWhateverTheMapOrder() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("churn.zzz", "1");
        a.put("churn.aaa", "1");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("churn.aaa", "1");
        b.put("churn.zzz", "1");
        List<String> pa = OptionsParser.parse(null, a, null).problems();
        assertEquals(2, pa.size());
        assertTrue(pa.get(0).contains("'aaa'"), pa.get(0));
        assertEquals(pa, OptionsParser.parse(null, b, null).problems());
    }

    // ---- malformed agent arguments -------------------------------------------------------------

    @Test
    void toleratesSpacesEmptyPairsAndATrailingComma() {
        AgentOptions o = valid(" warn.ratio = 0.6 ,, report.top = 5 ,\t,");
        assertEquals(0.6, o.warnRatio());
        assertEquals(5, o.reportTop());
        assertEquals(0.6, valid(",warn.ratio=0.6").warnRatio());
    }

    @Test
    void pairWithoutEqualsIsAProblem() {
        ParseResult r = args("warn.ratio,report.top=5");
        assertOneProblemContaining(r, "agent argument 'warn.ratio' is not a key=value pair", "values cannot contain ','");
        assertEquals(5, r.options().reportTop(), "the good pair still counts");
    }

    @Test
    void commaInsideAValueSplitsItAndTheRestIsReported() {
        ParseResult r = args("log.file=/tmp/a,b.log");
        assertEquals("/tmp/a", r.options().logFile());
        assertOneProblemContaining(r, "agent argument 'b.log' is not a key=value pair", "values cannot contain ','");
    }

    @Test
    void pairWithoutKeyIsAProblem() {
        assertOneProblemContaining(args("=0.5"), "agent argument '=0.5' has no key before '='");
        assertOneProblemContaining(args("  =  "), "agent argument '=' has no key");
    }

    @Test
    void equalsSignsAndCommasOnly() {
        ParseResult r = args("=,=,,==");
        assertEquals(3, r.problems().size(), r.problems().toString());
        for (String p : r.problems()) {
            assertTrue(p.contains("has no key"), p);
        }
        assertEquals(AgentOptions.defaults(), r.options());
    }

    @Test
    void secondEqualsSignBelongsToTheValue() {
        assertOneProblemContaining(args("warn.ratio=0.6=0.7"), "option warn.ratio=0.6=0.7 (from agent arguments)");
    }

    @Test
    void semicolonIsNotASeparator() {
        assertOneProblemContaining(args("warn.ratio=0.6;report.top=5"), "option warn.ratio=0.6;report.top=5 ");
    }

    @Test
    void sameKeyTwiceLastWinsAndIsReported() {
        ParseResult r = args("warn.ratio=0.6,report.top=5,warn.ratio=0.7");
        assertEquals(0.7, r.options().warnRatio());
        assertOneProblemContaining(r, "option warn.ratio is given more than once in the agent arguments",
                "the last value, 0.7, wins over 0.6");
    }

    @Test
    void sameKeyTwiceWithABadLastValueGivesTheDefault() {
        ParseResult r = args("report.top=5,report.top=x");
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertEquals(10, r.options().reportTop());
    }

    @Test
    void unknownKeyIsNamedWithItsSourceAndTheKnownKeys() {
        ParseResult r = args("warn.ratoi=0.6");
        assertEquals("unknown option 'warn.ratoi' (agent arguments); known options: warn.ratio, critical.ratio,"
                + " warn.interval, report.interval, evaluate.interval, log.file, log.level, destinations.max, report.top,"
                + " capacity, egress, enabled, handlers, app.packages, client.per.request.threshold, log.format, metrics.port, metrics.host, startup, report.html, otel.metrics; did you mean warn.ratio?", r.problems().get(0));
        assertEquals(1, r.problems().size());
        assertEquals(AgentOptions.defaults(), r.options());
    }

    @ParameterizedTest
    @ValueSource(strings = {"WARN.RATIO", "churn.warn.ratio", "warn_ratio", "warnratio", "wrn.ratio"})
    void nearMissesSuggestTheKey(String name) {
        assertOneProblemContaining(args(name + "=0.6"), "unknown option '" + name + "'", "did you mean warn.ratio?");
    }

    @Test
    void farMissesSuggestNothing() {
        ParseResult r = args("foo=bar");
        assertOneProblemContaining(r, "unknown option 'foo' (agent arguments); known options: warn.ratio");
        assertFalse(r.problems().get(0).contains("did you mean"));
        assertNull(OptionsParser.suggestion("x".repeat(100), ""));
    }

    @Test
    void keysWithSpacesInsideAreUnknown() {
        assertOneProblemContaining(args("warn ratio=0.6"), "unknown option 'warn ratio'");
    }

    @Test
    void controlCharactersAreEscapedInMessages() {
        ParseResult r = args("log.level=in\nfo\u0000\u001b[31m,bad\rkey=1,x\u2028y=1");
        assertEquals(3, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains("unknown option 'bad\\rkey'"), r.problems().get(0));
        assertTrue(r.problems().get(1).contains("'x\\u2028y'"), r.problems().get(1));
        assertTrue(r.problems().get(2).contains("log.level=in\\nfo\\u0000\\u001b[31m"), r.problems().get(2));
        for (String p : r.problems()) {
            assertNoControlCharacters(p);
        }
    }

    @Test
    void nonAsciiIsShownAsItIs() {
        assertOneProblemContaining(args("w\u00e4rn.ratio=1"), "unknown option 'w\u00e4rn.ratio'");
    }

    @Test
    void longValuesAreCutInMessages() {
        String value = "9".repeat(1_000_000);
        ParseResult r = args("report.top=" + value);
        assertOneProblemContaining(r, "option report.top=" + "9".repeat(60) + "... (1000000 characters) (from agent arguments)");
        assertTrue(r.problems().get(0).length() < 300, "length " + r.problems().get(0).length());
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        String shown = OptionsParser.shown(emoji.repeat(100));
        assertTrue(shown.startsWith(emoji.repeat(60) + "... (100 characters)"), shown);
        assertEquals("\\ud83d", OptionsParser.shown("\uD83D"), "a lone surrogate is escaped");
    }

    @Test
    void hugeArgumentStringGivesOneShortProblem() {
        ParseResult r = args("x".repeat(5_000_000));
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).length() < 300);
    }

    @Test
    void aFloodOfProblemsIsCapped() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            sb.append("k").append(i).append("=1,");
        }
        ParseResult r = args(sb.toString());
        assertEquals(OptionsParser.MAX_PROBLEMS + 1, r.problems().size());
        assertEquals("... and " + (10_000 - OptionsParser.MAX_PROBLEMS) + " more option problems not shown",
                r.problems().get(r.problems().size() - 1));
    }

    @Test
    void theSameInputGivesTheSameResult() {
        Function<String, ParseResult> p = a -> OptionsParser.parse(a, Map.of("churn.nope", "1"), Map.of("CHURN_X", "2"));
        ParseResult a = p.apply("warn.ratio=0.6,zz=1");
        ParseResult b = p.apply("warn.ratio=0.6,zz=1");
        assertEquals(a.problems(), b.problems());
        assertEquals(a.options(), b.options());
        assertEquals(3, a.problems().size());
    }

    @Test
    void defaultsAreSharedAndNotRebuilt() {
        assertSame(AgentOptions.defaults(), AgentOptions.defaults());
    }

    static void assertNoControlCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            assertFalse(Character.isISOControl(c) || c == '\u2028' || c == '\u2029',
                    "raw control character " + (int) c + " in: " + s);
        }
    }

    @Test
    void emptyCollectionsAreFine() {
        ParseResult r = OptionsParser.parse("", Collections.emptyMap(), new HashMap<>());
        assertEquals(new ArrayList<String>(), r.problems());
    }
}
