package io.churnagent.report;

/**
 * The management interface of {@link LiveReport}: what {@code churn-agent.jar report} reads over the
 * target's local JMX connector. Names follow JMX conventions (attributes, no operations).
 */
public interface LiveReportMBean {

    /** The agent's version. */
    String getVersion();

    /** The options the agent runs with, as {@code key=value key=value ...}. */
    String getOptions();

    /** The current report: the summary line, then one logfmt line per top destination. */
    String getText();

    /**
     * The HTML report as one self-contained page (inline CSS and SVG, no script, nothing fetched):
     * the top destinations' figures over the last minutes and their call sites;
     * {@code churn-agent.jar report <pid> --html FILE} writes it.
     */
    String getHtml();
}
