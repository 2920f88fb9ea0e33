package io.churnagent.report;

import io.churnagent.churn.Judged;
import io.churnagent.churn.ChurnMonitor;
import io.churnagent.churn.DestinationFigures;
import io.churnagent.churn.ConnectionTracker;
import io.churnagent.churn.DestinationTable;
import io.churnagent.churn.HostShare;
import io.churnagent.churn.ModelSettings;
import io.churnagent.churn.OpenConnectionTable;
import io.churnagent.churn.PortLimit;
import io.churnagent.churn.TimeWaitSide;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.PortRange;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a warning says when an egress hop binds, and when other processes share the ports. */
class EgressWarningTest {

    private final long[] now = {0};
    private final DestinationTable table = new DestinationTable(10);
    private final ConnectionTracker tracker = new ConnectionTracker(table, new OpenConnectionTable(12), () -> now[0]);
    private final HostShare share = new HostShare();
    private final KernelSettings kernel = KernelSettings.of(PortRange.of(32768, 60999, new BitSet()), 2, 1000, 1, 262144, 60);

    private List<DestinationFigures> churn(ChurnMonitor monitor, int perSecond, int seconds, long others) throws Exception {
        List<DestinationFigures> warnings = new ArrayList<>();
        InetAddress remote = InetAddress.getByAddress(new byte[] {10, 1, 2, 3});
        int port = 40000;
        for (int s = 0; s < seconds; s++) {
            for (int i = 0; i < perSecond; i++) {
                tracker.connected(remote, 443, port, InetSocketAddress.createUnresolved("api.example.com", 443));
                tracker.closing(remote, 443, port++);
            }
            now[0] += 1_000_000_000L;
            if (others > 0) {
                share.update(Map.of("10.1.2.3:443", others), now[0]);
            }
            warnings.addAll(monitor.tick());
        }
        return warnings;
    }

    @Test
    void aCloudNatWarningNamesTheHopItsFiguresAndTheSymptom() throws Exception {
        PortLimit nat = new PortLimit("gcp-cloud-nat", 64, 120_000_000_000L,
                "Cloud NAT gives each VM 64 ports per destination (minPortsPerVm) and holds a closed connection's port 120 s (tcpTimeWaitTimeoutSec)");
        ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0],
                new ModelSettings(28_232, nat, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L), share);
        List<DestinationFigures> warnings = churn(monitor, 1, 3, 0);
        assertEquals(1, warnings.size());
        // the peer closing first does not lower a NAT's warning: the NAT holds the port either way
        String text = new ChurnLogFormat(kernel).warning(Judged.of(warnings.get(0), TimeWaitSide.Side.PEER), null);
        String first = text.split(System.lineSeparator())[0];
        for (String key : new String[] {"level=critical", "limit=gcp-cloud-nat", "time_wait_s=120", "capacity=64",
                "projected_time_wait=120", "host_share=0", "this_jvm_load=120"}) {
            assertTrue(first.contains(key), () -> "missing " + key + " in " + first);
        }
        assertTrue(text.contains("The tightest hop is the egress gcp-cloud-nat: Cloud NAT gives each VM 64 ports"), text);
        assertTrue(text.contains("not as EADDRNOTAVAIL"), text);
    }

    @Test
    void theHostShareIsShownAndCountedInTheSum() throws Exception {
        ChurnMonitor monitor = new ChurnMonitor(table, () -> now[0],
                new ModelSettings(1_000, null, 0.5, 0.8, 60_000_000_000L, 1_000_000_000L), share);
        List<DestinationFigures> warnings = churn(monitor, 3, 3, 400); // 180 own + 400 others = 58 %
        assertEquals(1, warnings.size());
        String text = new ChurnLogFormat(kernel).warning(Judged.of(warnings.get(0)), null);
        String first = text.split(System.lineSeparator())[0];
        for (String key : new String[] {"level=warn", "limit=local", "time_wait_s=60", "projected_load=580",
                "this_jvm_load=180", "host_share=400", "capacity=1000", "ratio=0.58"}) {
            assertTrue(first.contains(key), () -> "missing " + key + " in " + first);
        }
        assertTrue(text.contains("Of those, 400 are held by others on this host"), text);
        assertTrue(text.contains("this JVM's 180 plus the host's 400"), text);
    }
}
