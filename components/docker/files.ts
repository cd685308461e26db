// Files inside a container through the Engine's archive API: no shell, no tool and no running process needed in the
// target (it works on stopped containers too), and paths resolve through the container's volume mounts.
import * as path from "node:path";
import { dockerClient, isNotFound } from "../core/docker";

/** A one-file tar archive, enough for Docker's putArchive. */
export function tarOf(name: string, content: Buffer, mode = 0o644): Buffer {
    const header = Buffer.alloc(512);
    const write = (s: string, off: number, len: number) => header.write(s, off, len, "ascii");
    write(name, 0, 100);
    write(mode.toString(8).padStart(7, "0") + "\0", 100, 8);
    write("0000000\0", 108, 8);
    write("0000000\0", 116, 8);
    write(content.length.toString(8).padStart(11, "0") + "\0", 124, 12);
    write(Math.floor(Date.now() / 1000).toString(8).padStart(11, "0") + "\0", 136, 12);
    write("        ", 148, 8);
    write("0", 156, 1);
    write("ustar\0", 257, 6);
    write("00", 263, 2);
    let sum = 0;
    for (const b of header) sum += b;
    write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
    return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

/** The regular files of a tar archive, in order, by path; PAX and GNU long-name entries are skipped. */
export function filesOf(tar: Buffer): Array<{ name: string; content: Buffer }> {
    const files: Array<{ name: string; content: Buffer }> = [];
    let off = 0;
    while (off + 512 <= tar.length) {
        const header = tar.subarray(off, off + 512);
        if (header.every((b) => b === 0)) break;
        const field = (start: number, end: number) => header.toString("ascii", start, end).replace(/\0.*$/s, "");
        const size = parseInt(field(124, 136).trim() || "0", 8);
        const type = String.fromCharCode(header[156] ?? 0);
        if (type === "0" || type === "\0") {
            const prefix = field(345, 500);
            files.push({ name: prefix ? `${prefix}/${field(0, 100)}` : field(0, 100), content: tar.subarray(off + 512, off + 512 + size) });
        }
        off += 512 + Math.ceil(size / 512) * 512;
    }
    return files;
}

/** What Docker says about a path in a container. */
export interface PathStat {
    name: string;
    size: number;
    /** Go's os.FileMode bits: 1<<31 is a directory, 1<<27 a symlink. */
    mode: number;
    linkTarget: string;
}

/** Stats `file` in a container; undefined when the path does not exist. The container must exist. */
export async function statPath(container: string, file: string): Promise<PathStat | undefined> {
    try {
        const res = (await dockerClient().getContainer(container).infoArchive({ path: file })) as {
            headers: Record<string, string | undefined>;
            resume?: () => void;
        };
        res.resume?.();
        const header = res.headers["x-docker-container-path-stat"];
        return header ? (JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat) : undefined;
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

/** True when a stat is of a directory. */
export function isDirectory(stat: PathStat): boolean {
    // Go's os.ModeDir is the top bit of a uint32; JavaScript reads it back as a (possibly negative) number.
    return (stat.mode >>> 0) >= 0x80000000;
}

/** The archive of `target` (a file or a directory) in a container; undefined when the path does not exist. */
async function archiveOf(container: string, target: string): Promise<Buffer | undefined> {
    let stream: NodeJS.ReadableStream;
    try {
        stream = (await dockerClient().getContainer(container).getArchive({ path: target })) as NodeJS.ReadableStream;
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
}

/** Reads a regular file from a container; undefined when it does not exist. */
export async function readFile(container: string, file: string): Promise<Buffer | undefined> {
    const tar = await archiveOf(container, file);
    return tar && filesOf(tar)[0]?.content;
}

/** Writes (creates or replaces) a regular file in a container. Its directory must exist. */
export async function writeFile(container: string, file: string, content: Buffer, mode = 0o644): Promise<void> {
    await dockerClient()
        .getContainer(container)
        .putArchive(tarOf(path.posix.basename(file), content, mode), { path: path.posix.dirname(file) });
}
