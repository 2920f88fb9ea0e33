package io.churnagent.report;

import io.churnagent.log.LogEvent;
import io.churnagent.churn.ClientPerRequest;
import io.churnagent.churn.ClientSiteTable;
import io.churnagent.churn.Ticker;
import org.slf4j.Logger;

/**
 * Logs {@code event=client_per_request} for the call sites that are due; run on the reporter thread
 * once per evaluation. Not thread-safe on its own (one caller); it never throws.
 */
public final class ClientSiteReporter implements Runnable {

    private final ClientSiteTable table;
    private final Logger log;
    private final int threshold;
    private final long intervalNanos;
    private final Ticker ticker;
    private boolean failureLogged;
    private boolean fullLogged;

    /**
     * @param threshold     {@code client.per.request.threshold}
     * @param intervalNanos repeat a warning about one site at most this often ({@code warn.interval})
     */
    public ClientSiteReporter(ClientSiteTable table, Logger log, int threshold, long intervalNanos, Ticker ticker) {
        this.table = table;
        this.log = log;
        this.threshold = threshold;
        this.intervalNanos = intervalNanos;
        this.ticker = ticker;
    }

    @Override
    public void run() {
        try {
            for (ClientPerRequest e : table.due(ticker.nanoTime(), threshold, intervalNanos)) {
                int family = io.churnagent.churn.ClientThreadFamilies.ofClientFamily(e.site().family());
                // listing the threads is rare (a warning) and off the application's threads
                int alive = family < 0 ? -1 : io.churnagent.churn.ClientThreadFamilies.count()[family];
                log.warn("{}", ClientSiteFormat.clientPerRequest(e, alive));
            }
            if (!fullLogged && table.overflowed() > 0) {
                fullLogged = true;
                log.warn("{}", LogEvent.of("client_sites_full").add("max_sites", table.maxSites())
                        .add("other", table.overflowed())
                        .remark("(more distinct client call sites than the agent keeps; constructions at new sites are "
                                + "counted as other, not stored; logged once)"));
            }
        } catch (Throwable t) {
            if (!failureLogged) {
                failureLogged = true;
                log.error("{}", LogEvent.of("agent_error").add("where", "client_sites").error(t).remark("(logged once)"));
            }
        }
    }
}
