; Kantine: NSIS additions to electron-builder's installer (nsis.include in electron-builder.yml).
;
; Auto-start for kiosk PCs. The municipality's IT installs Kantine for all users (perMachine),
; usually silently through Intune/SCCM/GPO; on a PC that should start Kantine by itself at every
; sign-in, add /KIOSK=till or /KIOSK=parent to the installer's command line:
;
;   "Kantine Setup 0.1.0.exe" /S /KIOSK=till     a till, fullscreen and locked down (--kiosk)
;   "Kantine Setup 0.1.0.exe" /S /KIOSK=parent   the parent kiosk (--kiosk --terminal kiosk)
;
; That writes the value "Kantine" under HKLM\Software\Microsoft\Windows\CurrentVersion\Run, which
; Windows runs at every user's sign-in. Without /KIOSK nothing is written, and an existing value
; is left alone, so an update (also silent, without /KIOSK) keeps a kiosk a kiosk. /KIOSK=off
; removes it. Uninstalling removes it; the uninstall that an update runs first does not.

!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define KANTINE_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define KANTINE_RUN_VALUE "Kantine"

!macro customInstall
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/KIOSK=" $R1
  ${IfNot} ${Errors}
    ${If} $R1 == "till"
      WriteRegStr HKLM "${KANTINE_RUN_KEY}" "${KANTINE_RUN_VALUE}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --kiosk'
      DetailPrint "Kantine starts as a till (kiosk mode) at every sign-in"
    ${ElseIf} $R1 == "parent"
      WriteRegStr HKLM "${KANTINE_RUN_KEY}" "${KANTINE_RUN_VALUE}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --kiosk --terminal kiosk'
      DetailPrint "Kantine starts as the parent kiosk at every sign-in"
    ${ElseIf} $R1 == "off"
      DeleteRegValue HKLM "${KANTINE_RUN_KEY}" "${KANTINE_RUN_VALUE}"
      DetailPrint "Kantine no longer starts at sign-in"
    ${Else}
      DetailPrint "Unknown /KIOSK=$R1 (till, parent or off): auto-start left as it was"
    ${EndIf}
  ${EndIf}
!macroend

!macro customUnInstall
  ; An update runs the old uninstaller with --updated first: keep the auto-start then.
  ${IfNot} ${isUpdated}
    DeleteRegValue HKLM "${KANTINE_RUN_KEY}" "${KANTINE_RUN_VALUE}"
  ${EndIf}
!macroend
