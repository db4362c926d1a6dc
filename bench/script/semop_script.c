/*
 * The floor for the IPC script path: a C program that reads the semop script of bench/script/run.sh
 * ("semget IPC_PRIVATE 1 0600", then "semop $0 N:OP:FLG" lines), makes the same calls on the Linux
 * kernel and prints the same result lines as `prison ipc-script` ("ok $0", "ok", "err EAGAIN", ...).
 * Only the two line shapes of that script are understood; anything else prints "bad op".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>

static const char *errname(int e)
{
    switch (e) {
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case EIDRM: return "EIDRM";
    case ERANGE: return "ERANGE";
    case EFBIG: return "EFBIG";
    case EACCES: return "EACCES";
    case E2BIG: return "E2BIG";
    case EINTR: return "EINTR";
    default: return "EUNKNOWN";
    }
}

int main(int argc, char **argv)
{
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (in == NULL) {
        perror("open");
        return 66;
    }
    static char out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    char line[256];
    int id = -1;
    while (fgets(line, sizeof line, in) != NULL) {
        unsigned num;
        int op, flg;
        if (strncmp(line, "semget IPC_PRIVATE 1 0600", 25) == 0) {
            id = semget(IPC_PRIVATE, 1, 0600);
            if (id < 0)
                printf("err %s\n", errname(errno));
            else
                fputs("ok $0\n", stdout);
        } else if (sscanf(line, "semop $0 %u:%d:%d", &num, &op, &flg) == 3) {
            struct sembuf b = { (unsigned short)num, (short)op, (short)flg };
            if (semop(id, &b, 1) != 0)
                printf("err %s\n", errname(errno));
            else
                fputs("ok\n", stdout);
        } else {
            fputs("bad op\n", stdout);
        }
    }
    if (id >= 0)
        semctl(id, 0, IPC_RMID);
    return 0;
}
