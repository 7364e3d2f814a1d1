/*
 * xsphone: the ESP-IDF app-rollback calls that Moddable's `ota` module lacks.
 * Needs CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y (hal/esp32/sdkconfig/sdkconfig.defaults): the boot loader
 * then starts a newly activated app as ESP_OTA_IMG_PENDING_VERIFY and, if it restarts before
 * esp_ota_mark_app_valid_cancel_rollback(), boots the previous app again.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "esp_ota_ops.h"

void xs_xsphone_pending_verify(xsMachine *the)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	xsmcSetBoolean(xsResult, running && (ESP_OK == esp_ota_get_state_partition(running, &state)) && (ESP_OTA_IMG_PENDING_VERIFY == state));
}

void xs_xsphone_mark_valid(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();
	if (ESP_OK != err)
		xsUnknownError("mark valid failed");
}

void xs_xsphone_rollback(xsMachine *the)
{
	esp_ota_mark_app_invalid_rollback_and_reboot();
	xsUnknownError("no previous app to roll back to");
}
