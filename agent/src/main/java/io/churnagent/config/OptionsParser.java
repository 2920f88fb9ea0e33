package io.churnagent.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the agent's options from agent arguments, {@code churn.*} system properties and
 * {@code CHURN_*} environment variables, in that order of precedence; stateless, thread-safe, and
 * it never throws, whatever the input.
 *
 * <p>It runs inside someone else's JVM at start-up, so a typo must never stop the application:
 * every mistake becomes one sentence in {@link ParseResult#problems()} (for the caller to log) and
 * the option concerned keeps its default. A bad value from a higher-precedence source falls back to
 * the default rather than to a lower source, because the user who wrote it meant to replace the lower
 * one, and quietly resurrecting the value they overrode would be harder to notice than the default.
 */
public final class OptionsParser {

    /** A flood of bad input (a generated argument string, say) must not flood the log. */
    static final int MAX_PROBLEMS = 50;

    /** Values and keys are cut to about this many characters in messages. */
    static final int MAX_SHOWN = 60;

    private static final String AGENT_ARGUMENTS = "agent arguments";

    private OptionsParser() {
    }

    /**
     * Parses all three sources; any argument may be null, and maps may be raw {@code Properties}
     * holding non-String entries (those are skipped).
     */
    public static ParseResult parse(String agentArgs, Map<String, String> systemProperties,
                                    Map<String, String> environment) {
        Problems problems = new Problems();
        Map<Option<?>, Setting> fromArgs = read("the agent arguments", problems,
                out -> readAgentArguments(agentArgs, out, problems));
        Map<Option<?>, Setting> fromProperties = read("the churn.* system properties", problems,
                out -> readSystemProperties(systemProperties, out, problems));
        Map<Option<?>, Setting> fromEnvironment = read("the CHURN_* environment variables", problems,
                out -> readEnvironment(environment, out, problems));
        try {
            AgentOptions options = resolve(fromArgs, fromProperties, fromEnvironment, problems);
            return new ParseResult(options, problems.list());
        } catch (Throwable t) {
            problems.add("could not apply the options (" + t.getClass().getName() + "); using the defaults for all of them");
            return new ParseResult(AgentOptions.defaults(), problems.list());
        }
    }

    /** Reads one source of settings into the map it is given. */
    private interface Source {
        void readInto(Map<Option<?>, Setting> out);
    }

    /** Reads {@code source}; if that throws, the source counts as empty and one problem says so. */
    private static Map<Option<?>, Setting> read(String what, Problems problems, Source source) {
        Map<Option<?>, Setting> settings = new HashMap<>();
        try {
            source.readInto(settings);
        } catch (Throwable t) {
            settings.clear();
            problems.add("could not read " + what + " (" + t.getClass().getName() + "); ignoring them");
        }
        return settings;
    }

    private static void readAgentArguments(String agentArgs, Map<Option<?>, Setting> out, Problems problems) {
        if (agentArgs == null || agentArgs.trim().isEmpty()) {
            return;
        }
        Setting egress = null; // egress=ports:<n>,time_wait:<s> has a comma of its own
        for (String raw : agentArgs.split(",", -1)) {
            String pair = raw.trim();
            if (pair.isEmpty()) {
                continue; // a trailing comma, or ",,": harmless and unambiguous
            }
            int eq = pair.indexOf('=');
            if (eq < 0 && egress != null && pair.toLowerCase(Locale.ROOT).startsWith("time_wait:")) {
                out.put(Option.EGRESS, new Setting(egress.value + "," + pair, AGENT_ARGUMENTS));
                egress = null;
                continue;
            }
            egress = null;
            if (eq < 0) {
                problems.add("agent argument '" + shown(pair) + "' is not a key=value pair; expected key=value pairs"
                        + " separated by commas (values cannot contain ','), e.g. warn.ratio=0.5,report.interval=30s");
                continue;
            }
            String name = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (name.isEmpty()) {
                problems.add("agent argument '" + shown(pair) + "' has no key before '='; expected key=value,"
                        + " e.g. warn.ratio=0.5");
                continue;
            }
            Option<?> key = Option.byKey(name);
            if (key == null) {
                problems.add(unknown(name, "agent arguments", suggestion(name, ""), false));
                continue;
            }
            Setting setting = new Setting(value, AGENT_ARGUMENTS);
            Setting previous = out.put(key, setting);
            if (key == Option.EGRESS) {
                egress = setting;
            }
            if (previous != null) {
                problems.add("option " + key.key() + " is given more than once in the agent arguments; the last value, "
                        + shownValue(value) + ", wins over " + shownValue(previous.value));
            }
        }
    }

    private static void readSystemProperties(Map<?, ?> properties, Map<Option<?>, Setting> out, Problems problems) {
        for (Map.Entry<String, String> e : prefixed(properties, Option.PROPERTY_PREFIX).entrySet()) {
            String name = e.getKey().substring(Option.PROPERTY_PREFIX.length());
            String origin = "-D" + e.getKey();
            Option<?> key = Option.byKey(name);
            if (key == null) {
                problems.add(unknown(name, shown(origin), suggestion(name, "-D" + Option.PROPERTY_PREFIX), false));
                continue;
            }
            out.put(key, new Setting(e.getValue(), shown(origin)));
        }
    }

    private static void readEnvironment(Map<?, ?> environment, Map<Option<?>, Setting> out, Problems problems) {
        for (Map.Entry<String, String> e : prefixed(environment, Option.ENVIRONMENT_PREFIX).entrySet()) {
            String name = e.getKey();
            Option<?> key = null;
            for (Option<?> k : Option.all()) {
                if (k.environmentName().equals(name)) {
                    key = k;
                }
            }
            if (key == null) {
                String asKey = name.substring(Option.ENVIRONMENT_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                Option<?> near = Option.byKey(suggestion(asKey, ""));
                String hint = near == null ? null : near.environmentName();
                problems.add(unknown(name, "environment variable", hint, true));
                continue;
            }
            out.put(key, new Setting(e.getValue(), "environment variable " + name));
        }
    }

    /**
     * Copies the String entries whose key starts with the prefix into a sorted map, so that problems
     * come out in the same order on every run whatever the map's iteration order.
     */
    private static TreeMap<String, String> prefixed(Map<?, ?> source, String prefix) {
        TreeMap<String, String> sorted = new TreeMap<>();
        if (source == null) {
            return sorted;
        }
        // toArray takes one snapshot; System.getProperties() may change under a live iterator.
        for (Object o : source.entrySet().toArray()) {
            Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
            Object k = e.getKey();
            if (k instanceof String && ((String) k).startsWith(prefix)) {
                Object v = e.getValue();
                sorted.put((String) k, v instanceof String ? (String) v : "");
            }
        }
        return sorted;
    }

    private static AgentOptions resolve(Map<Option<?>, Setting> fromArgs, Map<Option<?>, Setting> fromProperties,
                                        Map<Option<?>, Setting> fromEnvironment, Problems problems) {
        OptionValues values = AgentOptions.defaultValues();
        Map<Option<?>, String> origins = new HashMap<>();
        for (Option<?> key : Option.all()) {
            List<Setting> given = new ArrayList<>(3);
            for (Map<Option<?>, Setting> source : List.of(fromArgs, fromProperties, fromEnvironment)) {
                Setting s = source.get(key);
                if (s != null) {
                    given.add(s);
                }
            }
            if (given.isEmpty()) {
                continue;
            }
            Setting winner = given.get(0);
            if (values.parse(key, winner.value)) {
                origins.put(key, winner.origin);
                continue;
            }
            StringBuilder sb = new StringBuilder()
                    .append("option ").append(key.key()).append('=').append(shownValue(winner.value))
                    .append(" (from ").append(winner.origin).append(") is not valid: expected ").append(key.form())
                    .append("; using the default ").append(key.defaultValue());
            if (given.size() > 1) {
                Setting overridden = given.get(1);
                sb.append(", not ").append(shownValue(overridden.value)).append(" from ").append(overridden.origin);
            }
            problems.add(sb.toString());
        }
        double warn = values.get(Option.WARN_RATIO);
        double critical = values.get(Option.CRITICAL_RATIO);
        if (critical < warn) {
            OptionValues defaults = AgentOptions.defaultValues();
            problems.add("option critical.ratio=" + Option.CRITICAL_RATIO.format(critical)
                    + " (" + origin(origins, Option.CRITICAL_RATIO) + ") is below warn.ratio="
                    + Option.WARN_RATIO.format(warn) + " (" + origin(origins, Option.WARN_RATIO)
                    + "); using the defaults warn.ratio=" + Option.WARN_RATIO.defaultValue()
                    + " and critical.ratio=" + Option.CRITICAL_RATIO.defaultValue());
            values.copy(Option.WARN_RATIO, defaults);
            values.copy(Option.CRITICAL_RATIO, defaults);
        }
        return new AgentOptions(values);
    }

    private static String origin(Map<Option<?>, String> origins, Option<?> key) {
        String o = origins.get(key);
        return o == null ? "the default" : "from " + o;
    }

    private static String unknown(String name, String where, String suggestion, boolean environment) {
        StringBuilder sb = new StringBuilder("unknown option '").append(shown(name)).append("' (").append(where)
                .append("); known options: ").append(Option.knownKeys());
        if (environment) {
            sb.append(" (in the environment as CHURN_ plus the key in upper case with '_' for '.', e.g. ")
                    .append(Option.WARN_RATIO.environmentName()).append(')');
        }
        if (suggestion != null) {
            sb.append("; did you mean ").append(suggestion).append('?');
        }
        return sb.toString();
    }

    /** The closest known key, with the given prefix, for names one or two typos away; else null. */
    static String suggestion(String name, String prefix) {
        if (name.length() > 64) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        // People copy the property name into the agent arguments, or the reverse.
        if (lower.startsWith(Option.PROPERTY_PREFIX) && Option.byKey(lower.substring(Option.PROPERTY_PREFIX.length())) != null) {
            return prefix + lower.substring(Option.PROPERTY_PREFIX.length());
        }
        String best = null;
        int bestDistance = 3;
        for (Option<?> k : Option.all()) {
            int d = distance(lower, k.key());
            if (d < bestDistance) {
                bestDistance = d;
                best = k.key();
            }
        }
        return best == null ? null : prefix + best;
    }

    /** Edit distance counting an adjacent swap as one edit ("ratoi" is one typo away from "ratio"). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String shownValue(String value) {
        return value.isEmpty() ? "\"\"" : shown(value);
    }

    /**
     * Makes user text safe for a one-line log message: control and invisible formatting characters
     * are escaped (a stray newline would forge a log line) and long text is cut at a code point.
     */
    static String shown(String text) {
        int total = text.codePointCount(0, text.length());
        StringBuilder sb = new StringBuilder();
        int shownPoints = 0;
        for (int i = 0; i < text.length() && shownPoints < MAX_SHOWN; shownPoints++) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (needsEscape(cp)) {
                for (char c : Character.toChars(cp)) {
                    String hex = Integer.toHexString(c);
                    sb.append("\\u").append("0000", hex.length(), 4).append(hex);
                }
            } else {
                sb.appendCodePoint(cp);
            }
        }
        if (total > MAX_SHOWN) {
            sb.append("... (").append(total).append(" characters)");
        }
        return sb.toString();
    }

    private static boolean needsEscape(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
                return true;
            default:
                return false;
        }
    }

    /** One option value and where it came from, e.g. "-Dchurn.warn.ratio". */
    private static final class Setting {
        final String value;
        final String origin;

        Setting(String value, String origin) {
            this.value = value;
            this.origin = origin;
        }
    }

    /** Collects problems up to {@link #MAX_PROBLEMS} and then only counts them. */
    private static final class Problems {
        private final List<String> list = new ArrayList<>();
        private int dropped;

        void add(String problem) {
            if (list.size() < MAX_PROBLEMS) {
                list.add(problem);
            } else {
                dropped++;
            }
        }

        List<String> list() {
            List<String> all = new ArrayList<>(list);
            if (dropped > 0) {
                all.add("... and " + dropped + " more option problems not shown");
            }
            return all;
        }
    }
}
