package io.churnagent.export.jmx;

import io.churnagent.export.ExportedFigure;
import io.churnagent.report.TickListener;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationVerdict;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.PortExhaustion;
import io.churnagent.churn.WarningLevel;
import io.churnagent.kernel.TcpSocketTable;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Publishes the figures as MBeans on the platform MBean server: {@code io.churnagent:type=Summary}
 * and one {@code io.churnagent:type=Destination,name="<ip:port>"} per destination; thread-safe.
 *
 * <p>Destinations are registered by the reporter thread ({@link #afterTick}) as they appear, never
 * on the connect path: the first {@value #QUIET_DESTINATION_MBEANS} destinations, and beyond those every
 * destination at warn level or above, up to {@code maxDestinations} plus the {@code other} bucket (the
 * destination table's cap). An MBean costs about 600 bytes (its ObjectName and the MBean server's
 * entry), almost as much as tracking the destination, and a JMX console lists a thousand of them
 * poorly; the summary, the log and the metrics endpoint cover every destination. Attribute reads see the figures of the latest evaluation. {@link #close()}
 * unregisters everything this exporter registered (for detach) and registers nothing after that.
 */
public final class JmxExporter implements TickListener, AutoCloseable {

    /** Destinations registered whatever their level; beyond these only those at warn level or above. */
    static final int QUIET_DESTINATION_MBEANS = 100;

    /** The JMX domain of every churn agent MBean. */
    public static final String DOMAIN = "io.churnagent";

    private final Supplier<MBeanServer> serverSource;
    private MBeanServer server;
    private final ConnectionTracker tracker;
    private final ModelSettings thresholds;
    private final Supplier<TcpSocketTable> kernel;
    private final int maxDestinations;
    private final ReadOnlyMBean.Shape destinationShape;
    private final Map<String, ObjectName> registered = new LinkedHashMap<>();
    private int destinationMBeans; // registered, not counting the summary and the other bucket
    /** Destination indexes whose MBean registration was tried (registered, or refused once). */
    private final BitSet tried = new BitSet();
    /** The destination index behind each registered destination MBean's label. */
    private final Map<String, Integer> indexOfLabel = new ConcurrentHashMap<>();
    /**
     * The latest figures by destination index, written in place each tick: a map by label rebuilt each
     * tick cost ~100 B per destination retained (and as much garbage each tick). A reader racing a
     * tick sees this tick's or the last one's figures, each a complete immutable value.
     */
    private volatile DestinationVerdict[] byIndex = new DestinationVerdict[0];
    private volatile List<DestinationVerdict> latestList = Collections.emptyList();
    private boolean closed;

    public JmxExporter(ConnectionTracker tracker, ModelSettings thresholds, Supplier<TcpSocketTable> kernel,
                       int maxDestinations) {
        this(ManagementFactory::getPlatformMBeanServer, tracker, thresholds, kernel, maxDestinations);
    }

    /**
     * @param serverSource asked once, on the first tick: creating the platform MBean server initialises
     *                     java.util.logging and JMX, which some application servers insist on doing
     *                     themselves, so it is not done in {@code premain}
     */
    JmxExporter(Supplier<MBeanServer> serverSource, ConnectionTracker tracker, ModelSettings thresholds,
                Supplier<TcpSocketTable> kernel, int maxDestinations) {
        this.serverSource = serverSource;
        this.tracker = tracker;
        this.thresholds = thresholds;
        this.kernel = kernel;
        this.maxDestinations = maxDestinations;
        this.destinationShape = destinationShape();
    }

    /** The ObjectName of the summary MBean. */
    public static ObjectName summaryName() {
        return name("type=Summary");
    }

    /** The ObjectName of one destination's MBean ({@code label} is {@code ip:port} or {@code other}). */
    public static ObjectName destinationName(String label) {
        return name("type=Destination,name=" + ObjectName.quote(label));
    }

    private static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Registers the summary MBean (the first tick does this by itself); throws if the server refuses it. */
    public synchronized JmxExporter start() throws Exception {
        if (server == null && !closed) {
            server = serverSource.get();
            register("summary", summaryName(), summaryBean());
        }
        return this;
    }

    @Override
    public void afterTick(List<DestinationVerdict> verdicts, List<DestinationVerdict> warnings, List<PortExhaustion> exhaustions) {
        DestinationVerdict[] slots = byIndex;
        int limit = tracker.destinations().indexLimit();
        if (slots.length < limit) {
            slots = Arrays.copyOf(slots, limit);
        }
        for (DestinationVerdict v : verdicts) {
            slots[v.destination().index()] = v;
        }
        byIndex = slots;
        latestList = verdicts;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (server == null) {
                try {
                    start();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot register the summary MBean: " + e, e);
                }
            }
            for (DestinationVerdict v : verdicts) {
                int index = v.destination().index();
                boolean other = v.destination().isOverflow(); // always registered, like the summary
                int allowed = v.level() != WarningLevel.NONE ? maxDestinations
                        : Math.min(maxDestinations, QUIET_DESTINATION_MBEANS);
                if (!tried.get(index) && (other || destinationMBeans < allowed)) {
                    tried.set(index);
                    String label = v.destination().label();
                    indexOfLabel.put(label, index);
                    try {
                        register(label, destinationName(label), destinationBean(label));
                        destinationMBeans += other ? 0 : 1;
                    } catch (Exception e) {
                        registered.put(label, null); // e.g. someone else's MBean under that name: try once only
                    }
                }
            }
        }
    }

    private void register(String key, ObjectName name, ReadOnlyMBean bean) throws Exception {
        if (server.isRegistered(name)) {
            server.unregisterMBean(name); // left over by an earlier agent instance in this JVM
        }
        server.registerMBean(bean, name);
        registered.put(key, name);
    }

    /** The number of MBeans registered now (summary included). */
    public synchronized int registeredCount() {
        int n = 0;
        for (ObjectName name : registered.values()) {
            if (name != null) {
                n++;
            }
        }
        return n;
    }

    /** Unregisters every MBean this exporter registered; later ticks register nothing. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (ObjectName name : registered.values()) {
            if (name == null) {
                continue;
            }
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException alreadyGone) {
                // someone unregistered it: nothing to undo
            } catch (Exception e) {
                // the server refuses: nothing more the agent can do
            }
        }
        registered.clear();
        tried.clear();
        indexOfLabel.clear();
        destinationMBeans = 0;
    }

    /** The latest verdict on the destination MBean {@code label}, or null before its first tick. */
    private DestinationVerdict latest(String label) {
        Integer index = indexOfLabel.get(label);
        DestinationVerdict[] slots = byIndex;
        return index == null || index >= slots.length ? null : slots[index];
    }

    private ReadOnlyMBean destinationBean(String label) {
        return destinationShape.bean(label);
    }

    /** The attributes every destination MBean has, read for its label. */
    private ReadOnlyMBean.Shape destinationShape() {
        ReadOnlyMBean.Shape shape = new ReadOnlyMBean.Shape(JmxExporter.class.getName() + "$Destination",
                "Churn Agent: connections to one destination and their TIME_WAIT projection");
        shape.attribute("Destination", "java.lang.String", "The remote IP:PORT, or other for destinations beyond destinations.max.",
                label -> label);
        shape.attribute("Host", "java.lang.String", "The host name the application asked for (never reverse DNS).",
                label -> {
                    DestinationVerdict f = latest(label);
                    return f == null ? "" : f.destination().host();
                });
        for (ExportedFigure figure : ExportedFigure.values()) {
            if (figure == ExportedFigure.WARNING_LEVEL) {
                shape.attribute(figure.jmxAttribute(), "java.lang.String", figure.description(), label -> {
                    DestinationVerdict f = latest(label);
                    return f == null ? "none" : ExportedFigure.levelName(f);
                });
            } else if (figure.isDecimal()) {
                shape.attribute(figure.jmxAttribute(), "double", figure.description(), label -> {
                    DestinationVerdict f = latest(label);
                    return f == null ? 0.0 : figure.value(f, kernel.get());
                });
            } else {
                shape.attribute(figure.jmxAttribute(), "long", figure.description(), label -> {
                    DestinationVerdict f = latest(label);
                    if (f == null) {
                        return 0L;
                    }
                    double v = figure.value(f, kernel.get());
                    return Double.isNaN(v) ? -1L : (long) v;
                });
            }
        }
        return shape;
    }

    private ReadOnlyMBean summaryBean() {
        ReadOnlyMBean bean = new ReadOnlyMBean(JmxExporter.class.getName() + "$Summary",
                "Churn Agent: all destinations together");
        bean.attribute("Destinations", "long", "Destinations tracked, the other bucket included.",
                () -> (long) latestList.size());
        bean.attribute("OverflowDestinations", "long",
                "First sightings of destinations beyond destinations.max, counted together as other.",
                () -> tracker.destinations().overflowedDestinations());
        bean.attribute("UntrackedConnections", "long",
                "Connections counted but not followed to their close (the open-connection table was full near their key).",
                tracker::untrackedConnections);
        bean.attribute("Connects", "long", "Connections established, all destinations.", () -> sum(ExportedFigure.CONNECTS));
        bean.attribute("Closes", "long", "Tracked connections closed, all destinations.", () -> sum(ExportedFigure.CLOSES));
        bean.attribute("Open", "long", "Connections open now, all destinations.", () -> sum(ExportedFigure.OPEN));
        bean.attribute("FailedConnects", "long", "Failed connects, all destinations and reasons.",
                () -> sum(ExportedFigure.FAILED_CONNECTS));
        bean.attribute("Capacity", "long", "This host's ports per destination: ip_local_port_range minus reserved ports, or the capacity option.", () -> (long) thresholds.capacity());
        bean.attribute("MaxProjectedLoadRatio", "double", "The highest ProjectedLoadRatio of any destination.",
                () -> {
                    double max = 0;
                    for (DestinationVerdict v : latestList) {
                        max = Math.max(max, v.figures().ratio());
                    }
                    return max;
                });
        bean.attribute("DestinationsAtWarnLevel", "long", "Destinations at or above warn.ratio now.", () -> {
            long n = 0;
            for (DestinationVerdict v : latestList) {
                if (v.level() != WarningLevel.NONE) {
                    n++;
                }
            }
            return n;
        });
        bean.attribute("ObservedTimeWaitTotal", "long",
                "Sockets in TIME_WAIT in this network namespace, all destinations (-1 when /proc is unreadable).", () -> {
                    TcpSocketTable t = kernel.get();
                    return t != null && t.available() ? (long) t.timeWaitTotal() : -1L;
                });
        bean.attribute("ObservedCloseWaitTotal", "long",
                "Sockets in CLOSE_WAIT towards remote destinations in this network namespace: connections the peer"
                        + " closed and this host never did, leaked (-1 when /proc is unreadable).", () -> {
                    TcpSocketTable t = kernel.get();
                    return t != null && t.available() ? (long) t.closeWaitTotal() : -1L;
                });
        return bean;
    }

    private long sum(ExportedFigure figure) {
        long sum = 0;
        for (DestinationVerdict v : new ArrayList<>(latestList)) {
            sum += (long) figure.value(v, null);
        }
        return sum;
    }
}
