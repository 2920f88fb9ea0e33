package io.churnagent.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One agent option of value type {@code T}: its key, default, accepted form and meaning, the
 * parser that turns text into a checked {@code T} and the formatter that turns it back; immutable
 * and thread-safe. The options are the constants here, in table order ({@link #all()}); docs/OPTIONS.md's
 * options table lists the same keys and defaults (OptionsTableTest).
 *
 * <p>The same key is used in all three places an option can come from: {@code key=value} in the
 * agent arguments, {@code -Dchurn.key=value}, and {@code CHURN_KEY=value} in the environment (see
 * {@link #propertyName()} and {@link #environmentName()}). Keeping the conversion here, next to the
 * form text, means an error message can never describe a form the code does not accept.
 *
 * @param <T> the checked value: Double, Long (milliseconds), Integer, Boolean, String or Egress
 */
public final class Option<T> {

    /** Plain decimals only: parseDouble would also take "NaN", "1e-1", "0x1p-1" and "0.5d". */
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,20}(\\.[0-9]{0,20})?|\\.[0-9]{1,20}");

    /** Ten digits is enough for every range here and keeps Long.parseLong away from overflow. */
    private static final Pattern INTEGER = Pattern.compile("[0-9]{1,10}");

    private static final long MAX_INTERVAL_MILLIS = 24L * 3_600_000L;

    private static final List<Option<?>> ALL = new ArrayList<>();

    public static final Option<Double> WARN_RATIO = new Option<>("warn.ratio", "0.5",
            "a decimal number > 0 and <= 1, e.g. 0.5",
            "Warn when a destination's projected ports in use (TIME_WAIT plus open) reach this fraction of its port capacity.",
            Double.class, Option::ratio, Option::decimalText);

    public static final Option<Double> CRITICAL_RATIO = new Option<>("critical.ratio", "0.8",
            "a decimal number > 0 and <= 1, not below warn.ratio, e.g. 0.8",
            "Raise the warning to critical at this fraction of capacity.",
            Double.class, Option::ratio, Option::decimalText);

    public static final Option<Long> WARN_INTERVAL = new Option<>("warn.interval", "60s",
            "a duration from 1ms to 24h: 500ms, 10s, 5m, 1h, or a bare number of seconds",
            "Repeat a warning about the same destination at most this often.",
            Long.class, t -> millisBetween(t, 1, MAX_INTERVAL_MILLIS), Durations::format);

    public static final Option<Long> REPORT_INTERVAL = new Option<>("report.interval", "60s",
            "a duration up to 24h (500ms, 10s, 5m, 1h, or a bare number of seconds), or 0 or off",
            "How often to log a summary of the busiest destinations; 0 or off leaves only the report at shutdown.",
            Long.class, t -> t.equalsIgnoreCase("off") ? Long.valueOf(0L) : millisBetween(t, 0, MAX_INTERVAL_MILLIS), v -> v == 0L ? "off" : Durations.format(v));

    public static final Option<Long> EVALUATE_INTERVAL = new Option<>("evaluate.interval", "1s",
            "a duration from 100ms to 60s, e.g. 1s",
            "How often every destination is checked against the warning thresholds.",
            Long.class, t -> millisBetween(t, 100, 60_000), Durations::format);

    public static final Option<String> LOG_FILE = new Option<>("log.file", "stderr",
            "a file path without control characters (in agent arguments it cannot contain ','), or stderr",
            "Where the agent writes its own log lines; the application's logging is never touched.",
            String.class, Option::logFile, v -> v.isEmpty() ? "stderr" : v);

    public static final Option<String> LOG_LEVEL = new Option<>("log.level", "info",
            "one of trace, debug, info, warn, error",
            "The agent's log level.",
            String.class, Option::logLevel, String::valueOf);

    public static final Option<Integer> DESTINATIONS_MAX = new Option<>("destinations.max", "1000",
            "an integer from 1 to 65000",
            "At most this many destinations are tracked one by one, which bounds the agent's memory.",
            Integer.class, t -> integerBetween(t, 1, 65_000), String::valueOf);

    public static final Option<Integer> REPORT_TOP = new Option<>("report.top", "10",
            "an integer from 1 to 1000",
            "How many destinations a report lists.",
            Integer.class, t -> integerBetween(t, 1, 1_000), String::valueOf);

    public static final Option<Integer> CAPACITY = new Option<>("capacity", "0",
            "0 (read it from the kernel) or an integer from 1 to 65535",
            "Ports per destination to model; 0 uses ip_local_port_range minus ip_local_reserved_ports of this host. "
                    + "Set it to model production's range on a staging host.",
            Integer.class, t -> integerBetween(t, 0, 65_535), String::valueOf);

    public static final Option<Egress> EGRESS = new Option<>("egress", "local",
            "local, aws-nat[:<addresses 1-8>], gcp-cloud-nat[:<ports per VM>][:<time_wait seconds>], "
                    + "gcp-cloud-nat:dynamic[:<time_wait seconds>], "
                    + "azure-nat-gateway[:<public IPs 1-16>], azure-snat[:<ports>], k8s-snat[:<pods sharing the node 1-1000>], "
                    + "or ports:<n>,time_wait:<seconds> (in agent arguments ';' may replace that ',')",
            "The hop beyond this host whose ports run out first: a NAT gateway or cloud NAT with its own ports per "
                    + "destination and TIME_WAIT. Warnings use whichever of it and the local range binds first and name it.",
            Egress.class, Egress::parse, Egress::format);

    public static final Option<Boolean> ENABLED = new Option<>("enabled", "true",
            "true or false (also yes/no, on/off, 1/0)",
            "false leaves the agent loaded but inactive, without removing -javaagent.",
            Boolean.class, Option::bool, String::valueOf);

    public static final Option<String> HANDLERS = new Option<>("handlers", "none",
            "none, or Class#method entries separated by ';', e.g. com.example.Api#handle;com.example.Jobs#run",
            "Extra request entry points: clients built while one of these methods runs count as built inside a request handler "
                    + "(servlets and JDK HttpServer handlers are known without it).",
            String.class, Option::handlers, v -> v.isEmpty() ? "none" : v);

    public static final Option<String> APP_PACKAGES = new Option<>("app.packages", "auto",
            "auto, or package names separated by ';', e.g. com.acme;org.example.billing",
            "The application's own packages, whose first frame on a stack is the call site a warning names (frames of "
                    + "libraries above it are skipped). auto: the main class's and the request handlers' packages (their "
                    + "first two name parts); the listed ones are added to those.",
            String.class, Option::packages, v -> v.isEmpty() ? "auto" : v);

    public static final Option<Integer> CLIENT_PER_REQUEST_THRESHOLD = new Option<>("client.per.request.threshold", "10",
            "an integer from 1 to 100000",
            "Log event=client_per_request when one call site builds more than this many clients inside request handlers "
                    + "within a minute.",
            Integer.class, t -> integerBetween(t, 1, 100_000), String::valueOf);

    public static final Option<String> LOG_FORMAT = new Option<>("log.format", "text",
            "text or json",
            "text: a logfmt line per event, prefixed with [churn-agent], with explanations under it; json: every line one JSON object without prefix.",
            String.class, Option::logFormat, String::valueOf);

    public static final Option<Integer> METRICS_PORT = new Option<>("metrics.port", "off",
            "off, or a TCP port from 0 to 65535 (0: any free port, logged at start)",
            "Serve Prometheus metrics over HTTP on this port; off by default.",
            Integer.class, t -> t.equalsIgnoreCase("off") ? Integer.valueOf(-1) : integerBetween(t, 0, 65_535), v -> v < 0 ? "off" : String.valueOf(v));

    public static final Option<String> METRICS_HOST = new Option<>("metrics.host", "127.0.0.1",
            "an IP address literal of this host, e.g. 127.0.0.1, ::1 or 0.0.0.0 (all interfaces)",
            "The address the metrics endpoint listens on; loopback unless you open it on purpose.",
            String.class, Option::ipLiteral, String::valueOf);

    public static final Option<String> STARTUP = new Option<>("startup", "background",
            "background or wait",
            "With -javaagent: background returns from premain at once and installs on a daemon thread (about 0.5 s on 2 cores; "
                    + "connections opened meanwhile are not seen, and io.churnagent.starting is set until it is done); wait "
                    + "holds main until every connection is watched. Dynamic attach always waits.",
            String.class, Option::startup, String::valueOf);

    public static final Option<String> REPORT_HTML = new Option<>("report.html", "off",
            "off, or a file path without control characters (in agent arguments it cannot contain ','), replaced at exit",
            "At JVM exit, write the HTML report (the top destinations' connects, closes and TIME_WAIT against capacity "
                    + "over the last 12 minutes, and their call sites) to this file; off by default.",
            String.class, Option::htmlFile, v -> v.isEmpty() ? "off" : v);

    public static final Option<Boolean> OTEL_METRICS = new Option<>("otel.metrics", "true",
            "true or false (also yes/no, on/off, 1/0)",
            "When the application has a global OpenTelemetry (the OpenTelemetry Java agent, or an SDK it set), publish "
                    + "the per-destination figures as OpenTelemetry instruments (churn.*); false turns it off.",
            Boolean.class, Option::bool, String::valueOf);

    /** The prefix of the system properties, {@code -Dchurn.warn.ratio=...}. */
    public static final String PROPERTY_PREFIX = "churn.";

    /** The prefix of the environment variables, {@code CHURN_WARN_RATIO=...}. */
    public static final String ENVIRONMENT_PREFIX = "CHURN_";

    private static final List<Option<?>> OPTIONS = Collections.unmodifiableList(ALL);
    private static final Map<String, Option<?>> BY_KEY;

    static {
        Map<String, Option<?>> byKey = new HashMap<>();
        for (Option<?> o : OPTIONS) {
            byKey.put(o.key, o);
        }
        BY_KEY = Collections.unmodifiableMap(byKey);
    }

    private final String key;
    private final String defaultValue;
    private final String form;
    private final String description;
    private final Class<T> type;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;
    private final int index;

    private Option(String key, String defaultValue, String form, String description, Class<T> type,
                   Function<String, T> parser, Function<T, String> formatter) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.form = form;
        this.description = description;
        this.type = type;
        this.parser = parser;
        this.formatter = formatter;
        this.index = ALL.size();
        ALL.add(this);
    }

    /** Every option, in table order. */
    public static List<Option<?>> all() {
        return OPTIONS;
    }

    /** The key as written in agent arguments, e.g. {@code warn.ratio}. */
    public String key() {
        return key;
    }

    /** The default as option text, e.g. {@code 60s}; parsing it gives {@link AgentOptions#defaults()}. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The accepted values in words, e.g. {@code a decimal number > 0 and <= 1, e.g. 0.5}. */
    public String form() {
        return form;
    }

    /** One sentence on what the option does. */
    public String description() {
        return description;
    }

    /** The value type. */
    public Class<T> type() {
        return type;
    }

    /** The position in {@link #all()}. */
    int index() {
        return index;
    }

    /** The system property name, e.g. {@code churn.warn.ratio}. */
    public String propertyName() {
        return PROPERTY_PREFIX + key;
    }

    /** The environment variable name, e.g. {@code CHURN_WARN_RATIO}. */
    public String environmentName() {
        return ENVIRONMENT_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** Returns the option with exactly this key, or null for an unknown key or null. */
    public static Option<?> byKey(String key) {
        return key == null ? null : BY_KEY.get(key);
    }

    /** All keys in table order, comma-separated, for "known options" messages. */
    static String knownKeys() {
        StringBuilder sb = new StringBuilder();
        for (Option<?> o : OPTIONS) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(o.key);
        }
        return sb.toString();
    }

    /**
     * Converts option text (trimmed here) to this option's value, or returns null when the text is
     * not in {@link #form()}. Range checks that involve another option (critical.ratio against
     * warn.ratio) are the parser's job.
     */
    T parse(String text) {
        return text == null ? null : parser.apply(text.trim());
    }

    /** Formats a value back into option text that parses to the same value. */
    String format(T value) {
        return formatter.apply(value);
    }

    /** {@link #format} for a value known only to be of this option's type. */
    String formatValue(Object value) {
        return format(type.cast(value));
    }

    @Override
    public String toString() {
        return key;
    }

    private static String decimalText(Double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static Double ratio(String t) {
        if (!DECIMAL.matcher(t).matches()) {
            return null;
        }
        BigDecimal d = new BigDecimal(t);
        if (d.signum() <= 0 || d.compareTo(BigDecimal.ONE) > 0) {
            return null;
        }
        return d.doubleValue();
    }

    private static Long millisBetween(String t, long min, long max) {
        long millis = Durations.parseMillis(t);
        return millis >= min && millis <= max ? Long.valueOf(millis) : null;
    }

    private static Integer integerBetween(String t, int min, int max) {
        if (!INTEGER.matcher(t).matches()) {
            return null;
        }
        long n = Long.parseLong(t);
        return n >= min && n <= max ? Integer.valueOf((int) n) : null;
    }

    /** Returns "" for stderr, because null already means "not valid" to the caller. */
    private static String logFile(String t) {
        if (t.isEmpty()) {
            return null;
        }
        if (t.equals("stderr")) {
            return "";
        }
        for (int i = 0; i < t.length(); i++) {
            if (Character.isISOControl(t.charAt(i))) {
                return null;
            }
        }
        return t;
    }

    /** Returns "" for off; a path as {@link #logFile} takes it otherwise. */
    private static String htmlFile(String t) {
        if (t.equalsIgnoreCase("off")) {
            return "";
        }
        return "stderr".equals(t) ? t : logFile(t);
    }

    private static String logLevel(String t) {
        // Locale.ROOT: in a Turkish locale "INFO".toLowerCase() is "ınfo", which no logger knows.
        String level = t.toLowerCase(Locale.ROOT);
        return Arrays.asList("trace", "debug", "info", "warn", "error").contains(level) ? level : null;
    }

    /** One handler entry: a binary class name, '#', a method name (no descriptors: all overloads match). */
    private static final Pattern HANDLER = Pattern.compile(
            "[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*#[\\p{L}_$][\\p{L}\\p{N}_$]*");

    /** Returns "" for none, else the entries trimmed and joined with ';'; null if any entry is malformed. */
    private static String handlers(String t) {
        return t.equalsIgnoreCase("none") ? "" : entries(t, HANDLER, false);
    }

    /** A Java package name: identifiers separated by dots (no trailing dot, no wildcard). */
    private static final Pattern PACKAGE = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    private static String packages(String t) {
        return t.equalsIgnoreCase("auto") ? "" : entries(t, PACKAGE, true);
    }

    /**
     * {@code ;}-separated entries that each match {@code entry}, trimmed and joined with {@code ;}
     * ("" for no text; null when an entry is malformed or there are only separators); with
     * {@code wildcard}, {@code com.acme.*} means {@code com.acme} (and below, as it does anyway).
     */
    private static String entries(String t, Pattern entry, boolean wildcard) {
        if (t.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String raw : t.split(";", -1)) {
            String e = raw.trim();
            if (wildcard && e.endsWith(".*")) {
                e = e.substring(0, e.length() - 2);
            }
            if (e.isEmpty()) {
                continue;
            }
            if (!entry.matcher(e).matches()) {
                return null;
            }
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(e);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String startup(String t) {
        String mode = t.toLowerCase(Locale.ROOT);
        return mode.equals("background") || mode.equals("wait") ? mode : null;
    }

    private static String logFormat(String t) {
        String format = t.toLowerCase(Locale.ROOT);
        return format.equals("text") || format.equals("json") ? format : null;
    }

    /** Only literals: a host name would need a DNS lookup at start-up, inside the application. */
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private static String ipLiteral(String t) {
        if (IPV4.matcher(t).matches()) {
            return t;
        }
        if (t.indexOf(':') >= 0 && IPV6.matcher(t).matches()) {
            try {
                java.net.InetAddress.getByName(t); // a literal: parsed, never looked up
                return t;
            } catch (java.net.UnknownHostException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static Boolean bool(String t) {
        String b = t.toLowerCase(Locale.ROOT);
        switch (b) {
            case "true":
            case "yes":
            case "on":
            case "1":
                return Boolean.TRUE;
            case "false":
            case "no":
            case "off":
            case "0":
                return Boolean.FALSE;
            default:
                return null;
        }
    }
}
