package io.churnagent.cli;

import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.ProcessCounts;
import io.churnagent.kernel.ProcessLimits;
import io.churnagent.kernel.TcpSocketTable;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code doctor}: a host check a person runs when "Cannot assign requested address" shows up, with no
 * JVM to attach to. Reads the kernel settings, socket table and conntrack table under {@code /proc} (or
 * {@code --proc=DIR}), prints {@link DoctorReport} and returns an exit status scripts can test;
 * with {@code --pid}, that process's network namespace and its own walls ({@link DoctorProcess}); stateless.
 */
final class Doctor {

    static final String USAGE = "usage: doctor [--critical-ratio=0.8] [--warn-ratio=0.5] [--top=10] [--proc=/proc]"
            + " [--pid=<pid>]";

    private Doctor() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        double warn = 0.5;
        double critical = 0.8;
        int top = 10;
        Path proc = Paths.get("/proc");
        long pid = -1;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--pid") && i + 1 < args.length) {
                a = "--pid=" + args[++i]; // the one option also taken as two words, like attach's pid
            }
            int eq = a.indexOf('=');
            String key = eq < 0 ? a : a.substring(0, eq);
            String value = eq < 0 ? null : a.substring(eq + 1);
            try {
                if (value == null || value.isEmpty()) {
                    throw new IllegalArgumentException();
                }
                switch (key) {
                    case "--critical-ratio":
                        critical = ratio(value);
                        break;
                    case "--warn-ratio":
                        warn = ratio(value);
                        break;
                    case "--top":
                        top = Integer.parseInt(value);
                        if (top < 1 || top > 1000) {
                            throw new IllegalArgumentException();
                        }
                        break;
                    case "--proc":
                        proc = Paths.get(value);
                        break;
                    case "--pid":
                        pid = Long.parseLong(value);
                        if (pid < 1) {
                            throw new IllegalArgumentException();
                        }
                        break;
                    default:
                        throw new IllegalArgumentException();
                }
            } catch (RuntimeException e) {
                err.println("churn-agent: doctor does not understand '" + a + "' (ratios are decimals > 0 and <= 1,"
                        + " --top an integer from 1 to 1000, --pid a process id); " + USAGE);
                return ExitCode.USAGE;
            }
        }
        if (warn > critical) {
            warn = critical;
        }
        if (pid > 0) {
            // another process's network namespace (a container's): its sockets and its sysctls
            try (PidNetworkView view = PidNetworkView.of(proc, pid)) {
                out.println("doctor: " + view.note());
                int status = report(view.root(), warn, critical, top, out);
                ProcessLimits limits = ProcessLimits.read(proc, Long.toString(pid), Paths.get("/sys/fs/cgroup"));
                long fds = ProcessCounts.openFds(proc, pid);
                long threads = ProcessCounts.threads(proc, Long.toString(pid));
                for (String line : DoctorProcess.lines(pid, limits, fds, threads, warn, critical)) {
                    out.println(line);
                }
                boolean full = DoctorProcess.critical(limits, fds, threads, critical);
                return status == ExitCode.OK && full ? ExitCode.DOCTOR_CRITICAL : status;
            } catch (IllegalArgumentException e) {
                err.println("churn-agent: doctor --pid=" + pid + ": " + e.getMessage());
                return ExitCode.NO_SUCH_JVM;
            } catch (java.io.IOException e) {
                err.println("churn-agent: doctor --pid=" + pid + ": cannot prepare its view: " + e);
                return ExitCode.DOCTOR_NO_SOCKET_TABLE;
            }
        }
        return report(proc, warn, critical, top, out);
    }

    private static int report(Path proc, double warn, double critical, int top, PrintStream out) {
        DoctorReport report = DoctorReport.of(KernelSettings.read(proc), TcpSocketTable.read(proc), Conntrack.read(proc),
                warn, critical, top);
        for (String line : report.lines()) {
            out.println(line);
        }
        if (!report.socketTableRead()) {
            return ExitCode.DOCTOR_NO_SOCKET_TABLE;
        }
        return report.critical().isEmpty() ? ExitCode.OK : ExitCode.DOCTOR_CRITICAL;
    }

    private static double ratio(String value) {
        double d = Double.parseDouble(value);
        if (!(d > 0 && d <= 1)) {
            throw new IllegalArgumentException();
        }
        return d;
    }
}
