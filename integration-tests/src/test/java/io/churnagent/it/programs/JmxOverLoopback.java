package io.churnagent.it.programs;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Churns {@code connections} connections to its own loopback server (as {@link SteadyConnections}
 * does), then reads the agent's MBeans back over a real JMX connection (RMI, to the JVM's own
 * {@code com.sun.management.jmxremote.port} on 127.0.0.1) and prints every attribute of every
 * {@code io.churnagent} MBean as {@code mbean <object name>\t<attribute>=<value>}, then {@code read}.
 * Reading from inside the JVM lets the test run it in a private network namespace, where the kernel's
 * TIME_WAIT figures are the program's own; a client in another namespace could not reach the port.
 *
 * <p>It reads once the destination's MBean shows every close and at least half of them in the kernel's
 * TIME_WAIT (the agent reads the socket table on a budget, so a read can predate the last closes) and
 * the MBean of its own JMX connection's destination is there (registered at the tick after the
 * connect), or after 15 s with what is there.
 *
 * <p>Usage: {@code JmxOverLoopback <jmxPort> <connections> <perSecond>}
 */
public final class JmxOverLoopback {

    public static void main(String[] args) throws Exception {
        AgentReady.await();
        int jmxPort = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        int perSecond = Integer.parseInt(args[2]);
        int port = SteadyConnections.churn(connections, perSecond);
        System.out.println("done");
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
        try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            ObjectName destination = new ObjectName("io.churnagent:type=Destination,name=\"127.0.0.1:" + port + "\"");
            ObjectName itself = new ObjectName("io.churnagent:type=Destination,name=\"127.0.0.1:" + jmxPort + "\"");
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!(ready(mbeans, destination, connections) && mbeans.isRegistered(itself)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            for (ObjectName name : mbeans.queryNames(new ObjectName("io.churnagent:*"), null)) {
                for (MBeanAttributeInfo a : mbeans.getMBeanInfo(name).getAttributes()) {
                    Object value;
                    try {
                        value = mbeans.getAttribute(name, a.getName());
                    } catch (Exception e) {
                        value = "error:" + e;
                    }
                    System.out.println("mbean " + name + "\t" + a.getName() + "=" + value);
                }
            }
        }
        System.out.println("read");
    }

    private static boolean ready(MBeanServerConnection mbeans, ObjectName destination, int connections) throws Exception {
        return mbeans.isRegistered(destination)
                && Long.valueOf(connections).equals(mbeans.getAttribute(destination, "Closes"))
                && (Long) mbeans.getAttribute(destination, "ObservedTimeWait") >= connections / 2;
    }
}
