package io.churnagent.kernel;

import java.io.IOException;
import java.net.InetAddress;
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
 * conflict with a given address (from {@code /proc/net/tcp} and {@code tcp6}, parsed by
 * {@link ProcNetTcp}), and for the listening ones the process that owns them; or
 * ({@link #connectedTo}) which processes hold the connections to one remote destination. Owners are found by mapping the socket inode through the
 * {@code /proc/<pid>/fd} symlinks ({@code socket:[inode]}). Immutable once read; reading never throws
 * and is bounded ({@link #MAX_PROCESSES} processes, {@link #MAX_MILLIS} ms). For the reporter thread,
 * never the application's.
 */
public final class PortOwners {

    static final int MAX_PROCESSES = 20_000;
    static final long MAX_MILLIS = 2_000;
    private static final int MAX_CMDLINE = 300;
    private static final int MAX_CMDLINE_READ = 64 * 1024;

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
            return state == ProcNetTcp.LISTEN;
        }

        public boolean timeWait() {
            return state == ProcNetTcp.TIME_WAIT;
        }

        /** The kernel's state name: LISTEN, TIME_WAIT, ESTABLISHED, ... */
        public String stateName() {
            return ProcNetTcp.stateName(state);
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
        Conflicting rows = new Conflicting(address, port);
        boolean any = readBoth(procRoot, rows);
        List<Holder> holders = rows.holders;
        holders.sort((a, b) -> Boolean.compare(b.listening(), a.listening()));
        return withOwners(procRoot, any, holders, true);
    }

    /**
     * The sockets of this namespace connected or connecting to {@code remote} (an {@code IP:PORT}
     * label as {@link TcpSocketTable} writes it), with their owning processes where this user may
     * read their {@code /proc/<pid>/fd}.
     */
    public static PortOwners connectedTo(Path procRoot, String remote) {
        ConnectedTo rows = new ConnectedTo(remote);
        boolean any = readBoth(procRoot, rows);
        return withOwners(procRoot, any, rows.holders, false);
    }

    /** The holders with the owners of their sockets filled in (of the listening ones only, if so asked). */
    private static PortOwners withOwners(Path procRoot, boolean any, List<Holder> holders, boolean listenersOnly) {
        Map<Long, Holder> wanted = new HashMap<>();
        for (Holder h : holders) {
            if ((h.listening() || !listenersOnly) && h.inode != 0) {
                wanted.put(h.inode, h);
            }
        }
        int[] notReadable = new int[1];
        boolean cut = !wanted.isEmpty() && findOwners(procRoot, wanted, notReadable);
        return new PortOwners(any, holders, notReadable[0], cut);
    }

    /** Reads {@code net/tcp} and {@code net/tcp6} into {@code rows}; whether either could be read. */
    private static boolean readBoth(Path procRoot, ProcNetTcp.RowVisitor rows) {
        boolean v4 = ProcNetTcp.read(procRoot.resolve("net/tcp"), ProcNetTcp.NO_DEADLINE, null, rows) == ProcNetTcp.Result.READ;
        boolean v6 = ProcNetTcp.read(procRoot.resolve("net/tcp6"), ProcNetTcp.NO_DEADLINE, null, rows) == ProcNetTcp.Result.READ;
        return v4 || v6;
    }

    /** Collects the rows on one port that conflict with a bind to one address (same, or either the wildcard). */
    private static final class Conflicting implements ProcNetTcp.RowVisitor {
        final List<Holder> holders = new ArrayList<>();
        private final InetAddress address;
        private final int port;

        Conflicting(InetAddress address, int port) {
            this.address = address;
            this.port = port;
        }

        @Override
        public void visit(ProcNetTcp.Row row) {
            if (row.localPort() != port) {
                return;
            }
            InetAddress bound = row.localAddress();
            if (bound == null) {
                return;
            }
            if (address != null && !address.isAnyLocalAddress() && !bound.isAnyLocalAddress() && !bound.equals(address)) {
                return;
            }
            int uid = row.uid();
            long inode = row.inode();
            if (uid >= 0 && inode >= 0) {
                holders.add(new Holder(ProcNetTcp.label(bound, port), row.state(), uid, inode));
            }
        }
    }

    /** Collects the rows whose remote end is one label and whose state is ESTABLISHED or SYN_SENT. */
    private static final class ConnectedTo implements ProcNetTcp.RowVisitor {
        final List<Holder> holders = new ArrayList<>();
        private final String remote;

        ConnectedTo(String remote) {
            this.remote = remote;
        }

        @Override
        public void visit(ProcNetTcp.Row row) {
            int state = row.state();
            if (state != ProcNetTcp.ESTABLISHED && state != ProcNetTcp.SYN_SENT) {
                return;
            }
            if (!remote.equals(row.remoteLabel())) {
                return;
            }
            int uid = row.uid();
            long inode = row.inode();
            if (uid >= 0 && inode >= 0) {
                holders.add(new Holder(row.localLabel(), state, uid, inode));
            }
        }
    }

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

    /** The owner's command line as a warning shows it (see {@link ProcCmdline#shown}), or null. */
    private static String command(Path pidDir) {
        try {
            return ProcCmdline.shown(ProcCmdline.read(pidDir, MAX_CMDLINE_READ), MAX_CMDLINE);
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
}
