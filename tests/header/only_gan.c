/* Compiled alone, as C11 and as C++, by the header tests. */
#include <gan.h>

int gan_header_test_dummy(void);
int gan_header_test_dummy(void)
{
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    gan_session_options s = GAN_SESSION_OPTIONS_INIT;
    gan_toy_options t = GAN_TOY_OPTIONS_INIT;
    return (int)(o.version + s.version + t.version) + GAN_OK;
}
