package io.churnagent.cli;

import io.churnagent.kernel.Conntrack;
import io.churnagent.kernel.KernelSettings;
import io.churnagent.kernel.TcpSocketTable;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code doctor}: a host check a person runs when "Cannot assign requested address" shows up, with no
 * JVM to attach to. Reads the kernel settings, socket table and conntrack table under {@code /proc} (or
 * {@code --proc=DIR}), prints {@link DoctorReport} and returns an exit status scripts can test;
 * stateless.
 */
final class Doctor {

    static final String USAGE = "usage: doctor [--critical-ratio=0.8] [--warn-ratio=0.5] [--top=10] [--proc=/proc]";

    private Doctor() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        double warn = 0.5;
        double critical = 0.8;
        int top = 10;
        Path proc = Paths.get("/proc");
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
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
                    default:
                        throw new IllegalArgumentException();
                }
            } catch (RuntimeException e) {
                err.println("churn-agent: doctor does not understand '" + a + "' (ratios are decimals > 0 and <= 1,"
                        + " --top an integer from 1 to 1000); " + USAGE);
                return ExitCode.USAGE;
            }
        }
        if (warn > critical) {
            warn = critical;
        }
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
