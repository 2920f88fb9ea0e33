package io.churnagent.it;

import io.churnagent.it.programs.OddAddresses;
import io.churnagent.log.LogfmtReader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Odd addresses are handled: IPv6 loopback and a scoped link-local address are counted exactly, an
 * IPv4-mapped literal counts as its IPv4 destination, unresolved host names and Unix domain socket
 * channels behave exactly as without the agent and create no destination, and the agent logs no error.
 */
class OddAddressesIT {

    private static final int N = 10;

    @OnEachJdk
    void oddAddressesBehaveAsWithoutTheAgentAndCountExactly(Path jdk) throws Exception {
        ForkedJvm plain = new ForkedJvm(jdk).mainClass(OddAddresses.class, Integer.toString(N));
        assertEquals(0, plain.run(Duration.ofSeconds(60)), plain::stderr);
        ForkedJvm agent = new ForkedJvm(jdk).withAgent("report.top=50").mainClass(OddAddresses.class, Integer.toString(N));
        assertEquals(0, agent.run(Duration.ofSeconds(60)), agent::stderr);
        Map<String, Map<String, String>> without = cases(plain);
        Map<String, Map<String, String>> with = cases(agent);
        System.out.println(jdk.getFileName() + ": " + with);
        assertEquals(without.keySet(), with.keySet());
        without.forEach((name, fields) -> assertEquals(fields.get("result"), with.get(name).get("result"), name));

        Map<String, AgentEvent> report = AgentEvent.reportByDestination(agent.agentEvents());
        for (String name : List.of("ipv6_loopback", "ipv6_scoped", "ipv4_mapped")) {
            Map<String, String> c = with.get(name);
            if (c.containsKey("skipped")) {
                System.out.println(name + " skipped: " + c.get("skipped"));
                continue;
            }
            assertEquals("ok", c.get("result"), name);
            String port = c.get("dest").substring(c.get("dest").lastIndexOf(':') + 1);
            List<AgentEvent> matching = report.values().stream()
                    .filter(e -> e.get("destination").endsWith(":" + port)).collect(Collectors.toList());
            assertEquals(1, matching.size(), () -> name + " has one destination: " + report.keySet());
            AgentEvent e = matching.get(0);
            assertEquals(2 * N, e.getLong("connects"), e::toString);
            assertEquals(2 * N, e.getLong("closes"), e::toString);
            assertEquals(0, e.getLong("open"), e::toString);
            if (name.equals("ipv4_mapped")) {
                assertEquals("127.0.0.1:" + port, e.get("destination"), "the IPv4 destination itself");
            } else {
                assertTrue(e.get("destination").startsWith("["), () -> "IPv6 in brackets: " + e);
            }
        }
        assertEquals("java.net.UnknownHostException", with.get("unresolved_socket").get("result"));
        assertEquals("java.nio.channels.UnresolvedAddressException", with.get("unresolved_channel").get("result"));
        assertEquals("ok", with.get("unix_channel").get("result"));
        assertFalse(report.keySet().stream().anyMatch(d -> d.contains("invalid") || d.contains("sock")), report::toString);
        assertEquals(0, agent.agentEvents().stream().filter(e -> e.event().startsWith("agent_error")
                || e.event().equals("agent_disabled")).count(), agent::stderr);
    }

    private static Map<String, Map<String, String>> cases(ForkedJvm jvm) {
        return jvm.stdout().lines().filter(l -> l.startsWith("case=")).map(LogfmtReader::parse)
                .collect(Collectors.toMap(m -> m.get("case"), m -> m));
    }
}
