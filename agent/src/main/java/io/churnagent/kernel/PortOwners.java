package io.churnagent.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What holds one local TCP port right now: the sockets of this network namespace bound to it that
 * conflict with a given address (from {@code /proc/net/tcp} and {@code tcp6}), and for the listening
 * ones the process that owns them; or ({@link #connectedTo}) which processes hold the connections
 * to one remote destination. Owners are found by mapping the socket inode through the
 * {@code /proc/<pid>/fd} symlinks ({@code socket:[inode]}). Immutable once read; reading never throws
 * and is bounded ({@link #MAX_PROCESSES} processes, {@link #MAX_MILLIS} ms). For the reporter thread,
 * never the application's.
 */
public final class PortOwners {

    static final int MAX_PROCESSES = 20_000;
    static final long MAX_MILLIS = 2_000;
    private static final int MAX_CMDLINE = 300;
    private static final int MAX_CMDLINE_READ = 64 * 1024;
    private static final long MAX_ROWS = 2_000_000;

    /** One socket bound to the port. */
    public static final class Holder {
        private final String local;
        private final int state;
        private final int uid;
        private final long inode;
        private long pid = -1;
        private String command;

        Holder(String local, int state, int uid, long inode) {
            this.local = local;
            this.state = state;
            this.uid = uid;
            this.inode = inode;
        }

        /** Its local {@code IP:PORT}. */
        public String local() {
            return local;
        }

        public boolean listening() {
            return state == TcpSocketTable.LISTEN;
        }

        public boolean timeWait() {
            return state == TcpSocketTable.TIME_WAIT;
        }

        /** The kernel's state name: LISTEN, TIME_WAIT, ESTABLISHED, ... */
        public String stateName() {
            return PortOwners.stateName(state);
        }

        public int uid() {
            return uid;
        }

        /** The owning process, or -1 when not found (TIME_WAIT sockets have none). */
        public long pid() {
            return pid;
        }

        /** The owner's command line (arguments joined by spaces, cut), or null. */
        public String command() {
            return command;
        }
    }

    private final boolean available;
    private final List<Holder> holders;
    private final int processesNotReadable;
    private final boolean searchCut;

    private PortOwners(boolean available, List<Holder> holders, int processesNotReadable, boolean searchCut) {
        this.available = available;
        this.holders = Collections.unmodifiableList(holders);
        this.processesNotReadable = processesNotReadable;
        this.searchCut = searchCut;
    }

    /**
     * The sockets on {@code port} that conflict with a bind to {@code address} (same address, or
     * either is the wildcard), listeners first, with the owners of the listeners.
     */
    public static PortOwners read(Path procRoot, InetAddress address, int port) {
        List<Holder> holders = new ArrayList<>();
        boolean any = readInto(procRoot.resolve("net/tcp"), address, port, holders);
        any |= readInto(procRoot.resolve("net/tcp6"), address, port, holders);
        holders.sort((a, b) -> Boolean.compare(b.listening(), a.listening()));
        Map<Long, Holder> wanted = new HashMap<>();
        for (Holder h : holders) {
            if (h.listening() && h.inode != 0) {
                wanted.put(h.inode, h);
            }
        }
        int[] notReadable = new int[1];
        boolean cut = !wanted.isEmpty() && findOwners(procRoot, wanted, notReadable);
        return new PortOwners(any, holders, notReadable[0], cut);
    }

    /**
     * The sockets of this namespace connected or connecting to {@code remote} (an {@code IP:PORT}
     * label as {@link TcpSocketTable} writes it), with their owning processes where this user may
     * read their {@code /proc/<pid>/fd}.
     */
    public static PortOwners connectedTo(Path procRoot, String remote) {
        List<Holder> holders = new ArrayList<>();
        boolean any = readConnectedInto(procRoot.resolve("net/tcp"), remote, holders);
        any |= readConnectedInto(procRoot.resolve("net/tcp6"), remote, holders);
        Map<Long, Holder> wanted = new HashMap<>();
        for (Holder h : holders) {
            if (h.inode != 0) {
                wanted.put(h.inode, h);
            }
        }
        int[] notReadable = new int[1];
        boolean cut = !wanted.isEmpty() && findOwners(procRoot, wanted, notReadable);
        return new PortOwners(any, holders, notReadable[0], cut);
    }

    private static boolean readConnectedInto(Path file, String remote, List<Holder> holders) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(ProcFile.open(file), StandardCharsets.US_ASCII))) {
            in.readLine();
            String line;
            long rows = 0;
            while ((line = in.readLine()) != null && rows++ < MAX_ROWS) {
                Holder h = parseConnected(line, remote);
                if (h != null) {
                    holders.add(h);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A row whose remote end is {@code remote} and whose state is ESTABLISHED or SYN_SENT; else null. */
    static Holder parseConnected(String line, String remote) {
        String[] f = line.trim().split("\\s+", 11);
        if (f.length < 10) {
            return null;
        }
        try {
            int state = Integer.parseInt(f[3], 16);
            if (state != TcpSocketTable.ESTABLISHED && state != SYN_SENT) {
                return null;
            }
            if (!remote.equals(TcpSocketTable.label(f[2]))) {
                return null;
            }
            return new Holder(TcpSocketTable.label(f[1]), state, Integer.parseInt(f[7]), Long.parseLong(f[9]));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final int SYN_SENT = 0x02;

    /**
     * Runs the owner search's file calls once on this process's own {@code fd} directory (a few
     * entries), so that their JDK classes load at start-up, not at the first warning that names owners.
     */
    public static void rehearseOwnerSearch(Path procRoot) {
        Map<Long, Holder> none = new HashMap<>();
        none.put(-2L, new Holder("rehearsal", 0, 0, -2L));
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(procRoot.resolve("self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && none.get(inodeOf(target)) != null) {
                        command(procRoot.resolve("self"));
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
                break;
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the real search says so
        }
        command(procRoot.resolve("self"));
    }

    /** Whether the socket tables could be read at all. */
    public boolean available() {
        return available;
    }

    public List<Holder> holders() {
        return holders;
    }

    /** Processes whose file descriptors this user may not read (other users' without privileges). */
    public int processesNotReadable() {
        return processesNotReadable;
    }

    /** True when the search for owners stopped at its bound before looking at every process. */
    public boolean searchCut() {
        return searchCut;
    }

    private static boolean readInto(Path file, InetAddress address, int port, List<Holder> holders) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(ProcFile.open(file), StandardCharsets.US_ASCII))) {
            in.readLine();
            String line;
            long rows = 0;
            while ((line = in.readLine()) != null && rows++ < MAX_ROWS) {
                Holder h = parse(line, address, port);
                if (h != null) {
                    holders.add(h);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code sl local remote st tx:rx tr:when retrnsmt uid timeout inode ...}; null unless it conflicts. */
    static Holder parse(String line, InetAddress address, int port) {
        String[] f = line.trim().split("\\s+", 11);
        if (f.length < 10) {
            return null;
        }
        try {
            int colon = f[1].indexOf(':');
            if (colon < 0 || Integer.parseInt(f[1].substring(colon + 1), 16) != port) {
                return null;
            }
            String local = TcpSocketTable.label(f[1]);
            if (local == null) {
                return null;
            }
            String ip = local.startsWith("[") ? local.substring(1, local.lastIndexOf(']')) : local.substring(0, local.lastIndexOf(':'));
            InetAddress bound = InetAddress.getByName(ip); // a literal: no lookup
            if (address != null && !address.isAnyLocalAddress() && !bound.isAnyLocalAddress() && !bound.equals(address)) {
                return null;
            }
            return new Holder(local, Integer.parseInt(f[3], 16), Integer.parseInt(f[7]), Long.parseLong(f[9]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Fills in pid and command of the wanted inodes; returns true when the search hit its bound. */
    private static boolean findOwners(Path procRoot, Map<Long, Holder> wanted, int[] notReadable) {
        long deadline = System.nanoTime() + MAX_MILLIS * 1_000_000L;
        int processes = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(procRoot, p -> isNumber(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                if (++processes > MAX_PROCESSES || System.nanoTime() > deadline) {
                    return true;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(fd).toString();
                        } catch (IOException | RuntimeException e) {
                            continue; // closed meanwhile
                        }
                        Holder h = target.startsWith("socket:[") ? wanted.get(inodeOf(target)) : null;
                        if (h != null && h.pid < 0) {
                            h.pid = Long.parseLong(pidDir.getFileName().toString());
                            h.command = command(pidDir);
                            wanted.remove(h.inode);
                            if (wanted.isEmpty()) {
                                return false;
                            }
                        }
                    }
                } catch (java.nio.file.AccessDeniedException e) {
                    notReadable[0]++;
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return true;
        }
        return false;
    }

    private static long inodeOf(String target) {
        try {
            return Long.parseLong(target.substring("socket:[".length(), target.length() - 1));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * The command line, arguments joined by spaces; a long one keeps its start and its end (where the
     * main class and arguments are; a Java class path in between can be kilobytes).
     */
    private static String command(Path pidDir) {
        try (InputStream in = ProcFile.open(pidDir.resolve("cmdline"))) {
            byte[] bytes = in.readNBytes(MAX_CMDLINE_READ);
            String s = new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (s.length() <= MAX_CMDLINE) {
                return s;
            }
            int head = MAX_CMDLINE / 3;
            return s.substring(0, head) + " ... " + s.substring(s.length() - (MAX_CMDLINE - head));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    static String stateName(int state) {
        switch (state) {
            case 0x01: return "ESTABLISHED";
            case 0x02: return "SYN_SENT";
            case 0x03: return "SYN_RECV";
            case 0x04: return "FIN_WAIT1";
            case 0x05: return "FIN_WAIT2";
            case 0x06: return "TIME_WAIT";
            case 0x07: return "CLOSE";
            case 0x08: return "CLOSE_WAIT";
            case 0x09: return "LAST_ACK";
            case 0x0A: return "LISTEN";
            case 0x0B: return "CLOSING";
            default: return "state " + state;
        }
    }
}
