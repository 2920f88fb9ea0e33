package io.churnagent.config;

import java.util.Arrays;

/**
 * The agent's checked option values; immutable and therefore thread-safe.
 *
 * <p>Instances come from {@link OptionsParser#parse} or {@link #defaults()}, so every value is
 * already within its documented range and readers need no checks of their own.
 */
public final class AgentOptions {

    private static final AgentOptions DEFAULTS = new AgentOptions(defaultValues());

    /** One value per option, at its {@link Option#index()}. */
    private final Object[] values;

    private final double warnRatio;
    private final double criticalRatio;
    private final long warnIntervalMillis;
    private final long reportIntervalMillis;
    private final long evaluateIntervalMillis;
    private final String logFile;
    private final String logLevel;
    private final boolean jsonLog;
    private final boolean startInBackground;
    private final int metricsPort;
    private final String metricsHost;
    private final int maxDestinations;
    private final int reportTop;
    private final int capacityOverride;
    private final Egress egress;
    private final boolean enabled;
    private final java.util.List<String> handlers;
    private final java.util.List<String> appPackages;
    private final int clientPerRequestThreshold;
    private final String htmlFile;

    /** Takes one checked value per option, as {@link Option#parse} returns them. */
    AgentOptions(OptionValues converted) {
        this.values = converted.copy();
        this.warnRatio = get(Option.WARN_RATIO);
        this.criticalRatio = get(Option.CRITICAL_RATIO);
        this.warnIntervalMillis = get(Option.WARN_INTERVAL);
        this.reportIntervalMillis = get(Option.REPORT_INTERVAL);
        this.evaluateIntervalMillis = get(Option.EVALUATE_INTERVAL);
        String file = get(Option.LOG_FILE);
        this.logFile = file.isEmpty() ? null : file;
        this.logLevel = get(Option.LOG_LEVEL);
        this.jsonLog = "json".equals(get(Option.LOG_FORMAT));
        this.startInBackground = "background".equals(get(Option.STARTUP));
        this.metricsPort = get(Option.METRICS_PORT);
        this.metricsHost = get(Option.METRICS_HOST);
        this.maxDestinations = get(Option.DESTINATIONS_MAX);
        this.reportTop = get(Option.REPORT_TOP);
        this.capacityOverride = get(Option.CAPACITY);
        this.egress = get(Option.EGRESS);
        this.enabled = get(Option.ENABLED);
        String handlerText = get(Option.HANDLERS);
        this.handlers = handlerText.isEmpty() ? java.util.List.of() : java.util.List.of(handlerText.split(";"));
        String packageText = get(Option.APP_PACKAGES);
        this.appPackages = packageText.isEmpty() ? java.util.List.of() : java.util.List.of(packageText.split(";"));
        this.clientPerRequestThreshold = get(Option.CLIENT_PER_REQUEST_THRESHOLD);
        String html = get(Option.REPORT_HTML);
        this.htmlFile = html.isEmpty() ? null : html;
    }

    /** The checked value of {@code option}. */
    public <T> T get(Option<T> option) {
        return option.type().cast(values[option.index()]);
    }

    /** Every option at its default. */
    public static AgentOptions defaults() {
        return DEFAULTS;
    }

    /** Parsed defaults; a default outside its own form is a bug and fails class initialisation. */
    static OptionValues defaultValues() {
        OptionValues defaults = new OptionValues();
        for (Option<?> o : Option.all()) {
            if (!defaults.parse(o, o.defaultValue())) {
                throw new IllegalStateException("default of " + o.key() + " is not in its own form: " + o.defaultValue());
            }
        }
        return defaults;
    }

    /** Fraction of capacity at which to warn, in (0, 1]. */
    public double warnRatio() {
        return warnRatio;
    }

    /** Fraction of capacity at which a warning is critical, in (0, 1] and never below {@link #warnRatio()}. */
    public double criticalRatio() {
        return criticalRatio;
    }

    /** Minimum time between two warnings about the same destination, at least 1 ms. */
    public long warnIntervalMillis() {
        return warnIntervalMillis;
    }

    /** Time between periodic reports; 0 means no periodic reports (the shutdown report still happens). */
    public long reportIntervalMillis() {
        return reportIntervalMillis;
    }

    /** Time between threshold evaluations, 100 ms to 60 s. */
    public long evaluateIntervalMillis() {
        return evaluateIntervalMillis;
    }

    /** The agent's log file, or null for stderr. */
    public String logFile() {
        return logFile;
    }

    /** One of trace, debug, info, warn, error, always lower-case. */
    public String logLevel() {
        return logLevel;
    }

    /** True for {@code log.format=json}: every log line one JSON object. */
    public boolean jsonLog() {
        return jsonLog;
    }

    /** The Prometheus endpoint's port: -1 for off, 0 for any free port. */
    /** {@code otel.metrics}: publish the figures as OpenTelemetry instruments when a global OpenTelemetry exists. */
    public boolean otelMetrics() {
        return get(Option.OTEL_METRICS);
    }

    public int metricsPort() {
        return metricsPort;
    }

    /** The IP address literal the Prometheus endpoint binds to. */
    public String metricsHost() {
        return metricsHost;
    }

    /** Upper bound on destinations tracked one by one, 1 to 65000. */
    public int maxDestinations() {
        return maxDestinations;
    }

    /** Destinations listed per report, 1 to 1000. */
    public int reportTop() {
        return reportTop;
    }

    /** Ports per destination to model instead of the kernel's figure, or 0 to read it from the kernel. */
    public int capacityOverride() {
        return capacityOverride;
    }

    /** The hop beyond this host to model ({@link Egress#LOCAL} for none). */
    public Egress egress() {
        return egress;
    }

    /** False when the user turned the agent off. */
    public boolean enabled() {
        return enabled;
    }

    /** Whether {@code premain} hands the installation to a daemon thread ({@code startup=background}). */
    public boolean startInBackground() {
        return startInBackground;
    }

    /** Extra request entry points as {@code Class#method} entries (all overloads of the method), possibly empty. */
    public java.util.List<String> handlers() {
        return handlers;
    }

    /** The packages the {@code app.packages} option lists (besides those found), possibly empty. */
    public java.util.List<String> appPackages() {
        return appPackages;
    }

    /** Clients one call site may build inside handlers per minute before event=client_per_request, 1 to 100000. */
    public int clientPerRequestThreshold() {
        return clientPerRequestThreshold;
    }

    /** The file {@code report.html} writes the HTML report to at JVM exit, or null for off. */
    public String htmlFile() {
        return htmlFile;
    }

    /** The value of one option as option text, e.g. {@code 60s} for warn.interval. */
    public String valueText(Option<?> option) {
        return option.formatValue(values[option.index()]);
    }

    /** The keys whose values differ between this and {@code other}, in table order ("none" if equal). */
    public String changedKeys(AgentOptions other) {
        StringBuilder changed = new StringBuilder();
        for (Option<?> k : Option.all()) {
            if (!java.util.Objects.equals(values[k.index()], other.values[k.index()])) {
                changed.append(changed.length() == 0 ? "" : ",").append(k.key());
            }
        }
        return changed.length() == 0 ? "none" : changed.toString();
    }

    /**
     * Every option as {@code key=value}, space-separated in {@link Option#all()} order, for the agent's
     * start-up line; the values are in a form the parser reads back.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Option<?> k : Option.all()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(k.key()).append('=').append(valueText(k));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentOptions && Arrays.equals(values, ((AgentOptions) o).values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return describe();
    }
}
